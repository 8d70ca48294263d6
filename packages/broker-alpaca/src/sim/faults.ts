/**
 * The injected faults of a running exchange (see `SimFault` in `options.ts`): each one
 * applies to the next `times` matching requests (or, for `ws-disconnect`, stream events)
 * and is gone after that.
 */
import type { ParsedSimFault } from './options.js';

/**
 * The active faults.
 * @example
 * const faults = new Faults(config.faults);
 * const fault = faults.forRequest('POST', '/v2/orders'); // consumed if it matched
 */
export class Faults {
  private active: ParsedSimFault[];

  constructor(initial: readonly ParsedSimFault[]) {
    this.active = [...initial];
  }

  /** Replace the active faults. */
  set(next: ParsedSimFault[]): void {
    this.active = next;
  }

  private consume(f: ParsedSimFault): void {
    f.times--;
    if (f.times <= 0) this.active = this.active.filter((x) => x !== f);
  }

  /** The fault this request runs into (used up by one), or undefined. */
  forRequest(method: string, path: string): ParsedSimFault | undefined {
    const f = this.active.find(
      (x) =>
        x.kind !== 'ws-disconnect' &&
        (x.method === undefined || x.method.toUpperCase() === method) &&
        (x.path === undefined || path.startsWith(x.path)),
    );
    if (f) this.consume(f);
    return f;
  }

  /**
   * True when a `ws-disconnect` fault takes this stream event: the sockets drop and the
   * event is lost. Events it lets through first (`afterEvents`) count down.
   */
  dropsStreamEvent(): boolean {
    const wsFault = this.active.find((f) => f.kind === 'ws-disconnect');
    if (!wsFault) return false;
    if (wsFault.afterEvents > 0) {
      wsFault.afterEvents--;
      return false;
    }
    this.consume(wsFault);
    return true;
  }
}
