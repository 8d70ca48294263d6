// Finds and runs the system's headless Chromium (Debian's `chromium`); nothing here downloads
// a browser.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `CHROMIUM_BIN` if set (it must be executable), else the first of {@link NAMES} on PATH, else null. */
export function findChromium() {
  const chosen = process.env.CHROMIUM_BIN;
  if (chosen) {
    if (!executable(chosen)) throw new Error(`CHROMIUM_BIN=${chosen} is not an executable file`);
    return chosen;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of NAMES) if (executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * Opens `url` in a fresh headless Chromium (own profile folder, own process group). Returns
 * `close()`, which ends that process group and removes the profile, and the tail of its
 * stderr for failure messages.
 */
export function openHeadless(bin, url) {
  const profile = mkdtempSync(join(tmpdir(), 'rl-core-chromium-'));
  const args = [
    '--headless',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-extensions',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    url,
  ];
  // Chromium's sandbox refuses to run as root (CI and these machines run as root).
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    exited,
    stderr: () => stderr,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {}
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {}
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
