// Where the files the app serves live, found at run time. The same code runs from source
// (app-sample/src/*.ts), as the bundle in the repo (dist/app-sample.js) and as the bundle in the
// image (/app/dist/app-sample.js), and __dirname differs in each.
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The public/ folder: $PUBLIC_DIR, else beside the bundle (dist/../app-sample/public),
 * else beside the sources (src/../public).
 */
export function resolvePublicDir(env: NodeJS.ProcessEnv = process.env, here: string = __dirname): string {
  if (env.PUBLIC_DIR) return path.resolve(env.PUBLIC_DIR);
  const candidates = [path.join(here, '..', 'app-sample', 'public'), path.join(here, '..', 'public')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[candidates.length - 1];
}

/**
 * socket.io's browser client (socket.io.js and friends): $SOCKET_IO_CLIENT_DIR, else
 * dist/../client-dist (where the image puts it: the bundle carries no node_modules), else the
 * installed socket.io package. Undefined when none exists.
 */
export function resolveSocketIoClientDir(env: NodeJS.ProcessEnv = process.env, here: string = __dirname): string | undefined {
  const candidates = [env.SOCKET_IO_CLIENT_DIR, path.join(here, '..', 'client-dist'), installedClientDir()];
  return candidates.find((dir): dir is string => !!dir && existsSync(path.join(dir, 'socket.io.js')));
}

function installedClientDir(): string | undefined {
  try {
    // socket.io's main is dist/index.js; the client it ships sits in client-dist/ beside it
    return path.join(path.dirname(require.resolve('socket.io')), '..', 'client-dist');
  } catch {
    return undefined;
  }
}
