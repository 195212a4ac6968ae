// The sample app as an object: tests start it in-process on port 0, main.ts runs it as a process.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachChat, type ChatServer } from './chat';
import { socketIoClientHandler } from './client-script';
import { ConnectionTracker } from './connections';
import { installFrontDoor } from './front-door';
import { Lifecycle, type LifecycleState } from './lifecycle';
import { createLog, type Log } from './log';
import { sessionMiddleware } from './sessions';
import { resolveSocketIoClientDir } from './static-dirs';
import { createWeb } from './web';

export interface AppOptions {
  instanceId: string;
  publicDir: string;
  log?: Log;
  sessionSecret?: string;
  /** Readiness stays false this long after listen() (default 0). */
  startupDelayMs?: number;
  accessLog?: boolean;
  /** Where socket.io's browser client is; default: found by resolveSocketIoClientDir(). */
  socketIoClientDir?: string;
}

export interface CloseOptions {
  /** Keep serving (readiness 503) this long before refusing connections. Default 0. */
  delayMs?: number;
  /** After this long (from the call), cut whatever is still open. Default 10000. */
  timeoutMs?: number;
}

export interface SampleApp {
  readonly instanceId: string;
  readonly httpServer: Server;
  readonly io: ChatServer;
  readonly state: LifecycleState;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Graceful stop; resolves when every connection is closed. `forced`: some had to be cut. */
  close(options?: CloseOptions): Promise<{ forced: boolean }>;
}

export function createApp(options: AppOptions): SampleApp {
  const { instanceId } = options;
  const log = options.log ?? createLog(instanceId);
  const lifecycle = new Lifecycle();
  const sessions = sessionMiddleware(options.sessionSecret ?? randomBytes(32).toString('hex'));
  const web = createWeb({ instanceId, publicDir: options.publicDir, lifecycle, sessions, log, accessLog: !!options.accessLog });

  const httpServer = createServer(web);
  const io = attachChat(httpServer, instanceId, log);
  const clientDir = options.socketIoClientDir ?? resolveSocketIoClientDir();
  if (!clientDir) log('warning', { message: 'socket.io client not found: /socket.io/socket.io.js will 404' });
  installFrontDoor(httpServer, io, instanceId, socketIoClientHandler(clientDir));
  const connections = new ConnectionTracker(httpServer);

  let warmUp: NodeJS.Timeout | undefined;
  let closing: Promise<{ forced: boolean }> | undefined;

  const becomeReady = () => {
    if (lifecycle.markReady()) log('ready');
  };

  return {
    instanceId,
    httpServer,
    io,
    get state() {
      return lifecycle.state;
    },

    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          log('listening', { addr: `${address.address}:${address.port}`, pid: process.pid });
          const delay = options.startupDelayMs ?? 0;
          if (delay > 0) warmUp = setTimeout(becomeReady, delay);
          else becomeReady();
          resolve(address);
        });
      });
    },

    close({ delayMs = 0, timeoutMs = 10_000 } = {}) {
      closing ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        clearTimeout(warmUp);
        lifecycle.markStopping();
        log('stopping', { delayMs, timeoutMs, connections: connections.open });
        if (delayMs > 0) await sleep(Math.min(delayMs, timeoutMs));

        const drained = connections.drain();
        // Close every Socket.IO connection at the transport level (pending polls answered, WebSockets
        // closed), not with a Socket.IO "disconnect": clients then reconnect on their own, through
        // the balancer, to an instance that still runs.
        io.engine.close();

        let deadlineTimer: NodeJS.Timeout | undefined;
        const forced = await Promise.race([
          drained.then(() => false),
          new Promise<boolean>((resolve) => (deadlineTimer = setTimeout(resolve, Math.max(0, deadline - Date.now()), true))),
        ]);
        clearTimeout(deadlineTimer);
        if (forced) {
          log('shutdown timeout', { cutting: connections.open });
          connections.destroyAll();
          await drained;
        }
        log('stopped', { forced });
        return { forced };
      })();
      return closing;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
