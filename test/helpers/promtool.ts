// Prometheus's own linter on a /metrics exposition: `promtool check metrics` (Debian's
// `prometheus` package; .ci/run installs it when missing).
import { execa } from 'execa';

/** promtool's exit code and everything it printed (empty when it finds nothing). */
export async function promtoolCheck(
  exposition: string,
): Promise<{ exitCode: number; said: string }> {
  const result = await execa('promtool', ['check', 'metrics'], {
    input: exposition,
    reject: false,
  });
  if (result.exitCode === undefined)
    throw new Error(
      `promtool did not run (${result.shortMessage}): install it with apt-get install prometheus`,
    );
  return { exitCode: result.exitCode, said: `${result.stdout}${result.stderr}`.trim() };
}
