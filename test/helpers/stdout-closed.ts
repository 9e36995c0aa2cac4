// A votestream command whose reader has gone (`votestream … | head`) before it writes.
import { spawn } from 'node:child_process';

/**
 * Runs votestream with its stdout a real pipe whose reading end is closed at once, as when the
 * reader (`| head`) has gone before the command writes: its exit code and stderr.
 */
export function withStdoutClosed(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['bin/votestream.js', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}
