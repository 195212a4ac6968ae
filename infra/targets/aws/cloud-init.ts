// cloud-init user data from a typed model: the VMs' whole boot recipe is data, rendered to YAML by
// the `yaml` package (never by string templates), so a hostile value cannot break the document.
import { stringify } from 'yaml';

/** The subset of cloud-config (cloud-init's own key names) the AWS target uses. */
export interface CloudConfig {
  /** Refresh the package index before installing (the AMI's may be stale). */
  package_update?: boolean;
  packages?: string[];
  write_files?: CloudFile[];
  /**
   * Commands run once, in order, at first boot. An array runs without a shell (argv), so a value
   * with spaces or quotes stays one argument; a string runs with `sh -c`.
   */
  runcmd?: (string[] | string)[];
}

export interface CloudFile {
  path: string;
  content: string;
  /** Octal string, e.g. '0644'. */
  permissions?: string;
  owner?: string;
}

/** `#cloud-config` first: without it cloud-init treats user data as something else. */
export const CLOUD_CONFIG_HEADER = '#cloud-config';

export function renderCloudConfig(config: CloudConfig): string {
  // lineWidth 0: no folding, scripts stay byte for byte as written.
  return `${CLOUD_CONFIG_HEADER}\n${stringify(config, { lineWidth: 0 })}`;
}

/** `sh -c` for the one step that needs a pipe; everything else is argv. */
export function shell(command: string): string[] {
  return ['sh', '-c', command];
}

/** Single-quotes a value for a POSIX shell: the only safe way a value enters a script. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
