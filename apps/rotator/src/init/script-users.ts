// Junos refuses a commit whose `event-script file F python-script-user U` names a user that is not
// a `system login user` (a junos:must rule of the YANG): init says so before it commits anything.
import type { EventOptions } from '@qkd-macsec/macsec-config';

/** One line per event-script file of `wanted` whose python-script-user the device lacks. */
export function missingScriptUsers(wanted: EventOptions | undefined, users: readonly string[], device: string): string[] {
  return (wanted?.eventScripts ?? [])
    .filter((s) => s.pythonScriptUser !== undefined && !users.includes(s.pythonScriptUser))
    .map((s) => `${device}: init.eventOptions event-script file ${s.name}: python-script-user ${s.pythonScriptUser} is not a login user on the device (Junos refuses the commit): create it (system login user ${s.pythonScriptUser}) or name an existing one`);
}
