// A route's static action: maps the request path into its directory (NGINX root / alias), finds the
// file (try_files, index, a 301 to the slash for a directory), picks a precompressed sibling, and
// answers, or tells the caller to hand the request to the fallback upstream (try_files ... @app).
import type { ResolvedCompress, ResolvedStaticAction } from '../config/resolved';
import type { Downstream } from '../downstream/downstream';
import { sendRedirect } from '../forward/error-page';
import type { HeaderRules } from '../forward/header-rules';
import type { RouteStats } from '../upstream/server-stats';
import { acceptedCodings } from './accept-encoding';
import { sendFile, sendHead, type FileResponseSettings, type FoundFile } from './file-response';
import { FileRequestHeaders } from './preconditions';
import { decodeRequestPath } from './request-path';
import { release, RootDirectory, type OpenedEntry } from './root-directory';

/** What a lookup found: a file, or why not (301 directory without its slash, 400, 403, 404, 500). */
type Lookup = FoundFile | 301 | 400 | 403 | 404 | 500;

const SIBLING_SUFFIX = { br: '.br', gzip: '.gz' } as const;

export class StaticFiles {
  private readonly root: RootDirectory;
  private readonly settings: FileResponseSettings;

  constructor(
    private readonly config: ResolvedStaticAction,
    /** The route's path prefix (alias replaces it). */
    private readonly routePath: string,
    responseRules: HeaderRules | null,
    compress: ResolvedCompress | null,
    sendTimeout: number,
  ) {
    this.root = new RootDirectory(config.directory, config.openFileCacheValid);
    this.settings = { etag: config.etag, expires: config.expires, responseRules, compress, sendTimeout };
  }

  /** Answers `ds`; returns true when no file answers and the fallback upstream should (it has one). */
  serve(ds: Downstream, stats: RouteStats): boolean {
    const method = ds.method;
    const reads = method === 'GET' || method === 'HEAD';
    const hasFallback = this.config.fallback !== null;
    if (!reads && !hasFallback) return this.notAllowed(ds, stats);
    const url = ds.url;
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const found = this.lookup(rawPath);
    if (typeof found === 'number') {
      if ((found === 404 || found === 403) && hasFallback) return true;
      if (found === 301 && reads) return this.redirectToSlash(ds, url, q, stats);
      if (found !== 301) return this.fail(ds, found, stats);
    } else if (!reads) release(found.entry);
    if (!reads) return this.notAllowed(ds, stats);
    const h = new FileRequestHeaders(ds.rawHeaders);
    const file = found as FoundFile;
    sendFile(ds, this.settings, h.acceptEncoding === null || !this.config.precompressed ? file : this.sibling(file, h.acceptEncoding), h, stats);
    return false;
  }

  // ---- finding the file ----

  private lookup(rawPath: string): Lookup {
    const rel = this.relativePath(rawPath);
    if (rel === null) return 400;
    if (rel === undefined) return 404;
    const tryFiles = this.config.tryFiles;
    if (tryFiles.length === 0) return this.fileOrDirectory(rel);
    for (const entry of tryFiles) {
      const path = entry.replaceAll('$uri', rel);
      const result = path.endsWith('/') ? this.index(path.replace(/\/+$/, '/')) : this.regularFile(path);
      if (result !== 404) return result;
    }
    return 404;
  }

  /**
   * The cleaned path under the directory ("" is the alias directory itself, without its slash);
   * null for a path that is refused (400), undefined for one outside an alias prefix (404).
   */
  private relativePath(rawPath: string): string | null | undefined {
    if (!this.config.alias) return decodeRequestPath(rawPath);
    const rest = rawPath.slice(this.routePath.length);
    if (this.routePath.endsWith('/')) return decodeRequestPath(`/${rest}`);
    if (rest === '') return '';
    // "/static../x" under "location /static { alias ... }" is NGINX's classic alias traversal:
    // here a prefix only matches at a segment boundary.
    return rest.charCodeAt(0) === 47 ? decodeRequestPath(rest) : undefined;
  }

  /** No try_files: the file, or the directory's index (a directory without its slash gets a 301). */
  private fileOrDirectory(rel: string): Lookup {
    const entry = this.root.open(rel);
    if (typeof entry === 'number') return entry;
    if (entry.stat.isFile()) return found(entry, rel);
    release(entry);
    if (!entry.stat.isDirectory()) return 404; // FIFO, socket, device: NGINX "is not a regular file"
    return rel.endsWith('/') ? this.index(rel) : 301;
  }

  /** A try_files "$uri" entry: a regular file, else 404 (and the next entry is tried). */
  private regularFile(rel: string): Lookup {
    const entry = this.root.open(rel);
    if (typeof entry === 'number') return entry === 403 ? 404 : entry;
    if (entry.stat.isFile()) return found(entry, rel);
    release(entry);
    return 404;
  }

  /** The first index file of directory `dir` ("/a/"); 403 when it has none (no listing, NGINX autoindex off). */
  private index(dir: string): Lookup {
    for (const name of this.config.index) {
      const result = this.regularFile(dir + name);
      if (result !== 404) return result;
    }
    const directory = this.root.open(dir);
    if (typeof directory === 'number') return directory;
    release(directory);
    return directory.stat.isDirectory() ? 403 : 404;
  }

  /** The .br / .gz beside `file` the client accepts best (gzip_static, brotli_static), or `file`. */
  private sibling(file: FoundFile, acceptEncoding: string): FoundFile {
    for (const coding of acceptedCodings(acceptEncoding)) {
      const entry = this.root.open(file.typePath + SIBLING_SUFFIX[coding]);
      if (typeof entry === 'number') continue;
      if (entry.stat.isFile()) {
        release(file.entry);
        return { entry, typePath: file.typePath, coding };
      }
      release(entry);
    }
    return file;
  }

  // ---- answers that are not a file ----

  /** NGINX's 301 from "/dir" to "/dir/" (the query kept). */
  private redirectToSlash(ds: Downstream, url: string, q: number, stats: RouteStats): false {
    const path = q === -1 ? url : url.slice(0, q);
    // Leading slashes collapsed: "//evil.example/" would be a protocol-relative redirect elsewhere.
    const location = `/${path.replace(/^\/+/, '')}/${q === -1 ? '' : url.slice(q)}`;
    stats.response(301);
    sendRedirect(ds, 301, location);
    return false;
  }

  private notAllowed(ds: Downstream, stats: RouteStats): false {
    sendHead(ds, this.settings, 405, ['allow', 'GET, HEAD', 'content-length', '0'], stats);
    ds.discardBody();
    return false;
  }

  private fail(ds: Downstream, status: number, stats: RouteStats): false {
    stats.response(status);
    ds.fail(status, status === 400 ? 'BAD_REQUEST' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : 'FILE_OPEN_FAILED');
    return false;
  }
}

function found(entry: OpenedEntry, rel: string): FoundFile {
  return { entry, typePath: rel, coding: null };
}
