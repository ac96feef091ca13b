import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** Debian's coturn unless TURNSERVER_PATH says otherwise (CI installs it with chromium). */
export const turnserverPath = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface TurnServer {
  /** `turn:127.0.0.1:<port>?transport=udp` */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a local coturn that checks TURN REST API credentials against `secret` (`use-auth-secret`), on loopback only;
 * resolves once it serves. Call `stop()` in `afterAll`.
 */
export async function startTurnServer(secret: string, ms = 15_000): Promise<TurnServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'atrium-turn-'));
  const proc: ChildProcess = spawn(
    turnserverPath,
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=atrium.test',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--allow-loopback-peers',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start within ${ms} ms:\n${output.slice(-2000)}`)), ms);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The last line coturn logs once its listeners and auth threads are up.
      if (/DB connection success|Total General servers/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
