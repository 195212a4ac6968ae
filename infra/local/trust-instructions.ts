// How to make browsers and curl trust `npm start`'s local CA: printed once, at the start that made
// the CA (later starts reuse it, so a browser trusted once stays trusting).

/** The NSS nickname the CA gets (Chromium and Firefox on Linux). */
export const NSS_NICKNAME = 'portico-local';

/** Lines to print: the CA file, one command per platform, then curl. */
export function trustInstructions(caFile: string, httpsUrl: string): string[] {
  const q = shellQuote(caFile);
  return [
    `A local certificate authority was made for https (it can only vouch for localhost and loopback addresses):`,
    `  ${caFile}`,
    'Trust it once, then restart the browser:',
    `  Linux, Chromium:  certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n ${NSS_NICKNAME} -i ${q}   (Debian/Ubuntu: apt install libnss3-tools)`,
    `  Linux, Firefox:   the same with -d sql:$HOME/.mozilla/firefox/<profile>`,
    `  macOS:            sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${q}`,
    `  Windows:          certutil -user -addstore Root ${q}`,
    `  curl:             curl --cacert ${q} ${httpsUrl}`,
  ];
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
