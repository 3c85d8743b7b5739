/**
 * The status an exec ends with, as the kubelet reports it on the error channel (remotecommand v4
 * and v5): `{"metadata":{},"status":"Success"}`; a non-zero exit as reason `NonZeroExitCode` with
 * the code in a cause of reason `ExitCode` (kubectl prints `command terminated with exit code N`
 * and exits N); a command that could not run as the Status error the kubelet sent.
 */
import type { StreamResult } from '../../../shared/client/byte-stream.js';

export function execStatus(result: StreamResult, command: string[]): Record<string, unknown> {
  if (result.error) {
    const { kind: _k, apiVersion: _a, ...rest } = result.error;
    return { ...rest, metadata: {} };
  }
  const code = result.exitCode ?? 0;
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}
