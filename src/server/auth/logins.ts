/** A server's login state: SRP attempts in progress, failure brakes, and the SRP worker. */
import { LoginThrottle } from "./login-throttle";
import { PendingLogins } from "./pending-logins";
import { SrpPool } from "./srp-pool";

export class Logins {
  readonly pending = new PendingLogins();
  readonly throttle = new LoginThrottle();
  readonly srp = new SrpPool();

  close(): Promise<void> {
    return this.srp.close();
  }
}
