/**
 * Structured logging: one JSON object per line on stdout.
 *
 * Callers never pass secrets; as a second line of defence every string value that
 * contains a registered secret (secret key, account id) is masked before it is written.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export class Logger {
  private readonly secrets: string[] = [];

  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    private readonly now: () => number = Date.now,
  ) {}

  /** Values that must never appear in a log line. */
  public addSecret(value: string | undefined): void {
    if (value !== undefined && value.length >= 4) this.secrets.push(value);
  }

  public info(event: string, fields: LogFields = {}): void {
    this.emit('info', event, fields);
  }

  public warn(event: string, fields: LogFields = {}): void {
    this.emit('warn', event, fields);
  }

  public error(event: string, fields: LogFields = {}): void {
    this.emit('error', event, fields);
  }

  private emit(level: string, event: string, fields: LogFields): void {
    const line: LogFields = { ts: new Date(this.now()).toISOString(), level, event };
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) line[key] = typeof value === 'string' ? this.mask(value) : value;
    }
    this.write(JSON.stringify(line) + '\n');
  }

  private mask(value: string): string {
    let out = value;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out;
  }
}
