/**
 * Readable demo output: numbered steps, progress while waiting, a short table per step, and a
 * record of every check so a test (or `--json`) can verify each step's outcome.
 */

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface StepRecord {
  id: string;
  title: string;
  checks: Check[];
  durationMs: number;
}

export interface DemoSummary {
  ok: boolean;
  face: "terraform" | "pulumi";
  note?: string;
  steps: StepRecord[];
  durationMs: number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Reporter {
  private readonly steps: StepRecord[] = [];
  private current?: StepRecord & { started: number };
  private readonly started = Date.now();
  private readonly animate: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream,
    interactive: boolean,
  ) {
    this.animate = interactive && out.isTTY === true;
  }

  line(text = ""): void {
    this.out.write(`${text}\n`);
  }

  step(id: string, title: string): void {
    this.finishStep();
    this.current = { id, title, checks: [], durationMs: 0, started: Date.now() };
    this.line();
    this.line(`━━ ${title}`);
  }

  /** Runs `work`, showing a spinner (TTY) or a start line (otherwise), then the time it took. */
  async progress<T>(label: string, work: () => Promise<T>): Promise<T> {
    const start = Date.now();
    let frame = 0;
    let timer: NodeJS.Timeout | undefined;
    if (this.animate) {
      timer = setInterval(() => {
        const seconds = ((Date.now() - start) / 1000).toFixed(0);
        this.out.write(`\r  ${SPINNER[frame++ % SPINNER.length]} ${label} (${seconds} s)`);
      }, 100);
    } else {
      this.line(`  … ${label}`);
    }
    try {
      const result = await work();
      this.endProgress(timer, `  ✓ ${label} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      return result;
    } catch (error) {
      this.endProgress(timer, `  ✗ ${label}`);
      throw error;
    }
  }

  private endProgress(timer: NodeJS.Timeout | undefined, text: string): void {
    if (timer) {
      clearInterval(timer);
      this.out.write("\r\x1b[2K");
    }
    this.line(text);
  }

  table(header: string[], rows: string[][]): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const fmt = (cells: string[]) => `  │ ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" │ ")} │`;
    const rule = (l: string, m: string, r: string) => `  ${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}`;
    this.line(rule("┌", "┬", "┐"));
    this.line(fmt(header));
    this.line(rule("├", "┼", "┤"));
    for (const row of rows) this.line(fmt(row));
    this.line(rule("└", "┴", "┘"));
  }

  check(name: string, ok: boolean, detail?: string): boolean {
    if (!this.current) throw new Error("check outside a step");
    this.current.checks.push({ name, ok, detail });
    this.line(`  ${ok ? "✓" : "✗"} ${name}${detail ? `: ${detail}` : ""}`);
    return ok;
  }

  private finishStep(): void {
    if (!this.current) return;
    const { started, ...record } = this.current;
    this.steps.push({ ...record, durationMs: Date.now() - started });
    this.current = undefined;
  }

  summary(face: DemoSummary["face"], note?: string): DemoSummary {
    this.finishStep();
    const ok = this.steps.length > 0 && this.steps.every((s) => s.checks.length > 0 && s.checks.every((c) => c.ok));
    return { ok, face, note, steps: this.steps, durationMs: Date.now() - this.started };
  }
}

/** Shows enough of a secret to recognise it, never all of it. */
export function mask(value: string): string {
  if (value.length <= 6) return "•".repeat(value.length);
  return `${value.slice(0, 3)}…${value.slice(-2)} (${value.length} chars)`;
}

export function shorten(text: string, max = 24): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
