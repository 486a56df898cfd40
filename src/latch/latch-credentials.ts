import { checkDnsLabel } from '../internal/validation';

/** Names of the keys of the credentials Secret. */
export interface LatchSecretKeys {
  /**
   * Key holding the Latch application id.
   * @default "appId"
   */
  readonly appId?: string;

  /**
   * Key holding the application's secret key.
   * @default "secretKey"
   */
  readonly secretKey?: string;

  /**
   * Key holding the paired account id (from `superlatch-agent pair`).
   * @default "accountId"
   */
  readonly accountId?: string;

  /**
   * Key holding an operation id, to follow one operation's latch instead of the
   * application's.
   * @default - no operation: the application's latch
   */
  readonly operationId?: string;
}

/**
 * Where the latch agent finds its Latch credentials: always a reference to an
 * existing Secret, never literal values (nothing secret is ever written into a
 * manifest). The Secret is mounted as files, mode 0400 (0440 with the pod's
 * fsGroup, so the non-root agent can read them), into the agent only.
 */
export class LatchCredentials {
  /**
   * The Secret `secretName` (in the namespace of the pods that use it), with the
   * given key names.
   *
   * @example
   * // kubectl create secret generic latch-credentials \
   * //   --from-literal=appId=... --from-literal=secretKey=... --from-literal=accountId=...
   * LatchCredentials.fromSecret('latch-credentials')
   */
  public static fromSecret(secretName: string, keys: LatchSecretKeys = {}): LatchCredentials {
    checkDnsLabel('LatchCredentials.fromSecret', 'secretName', secretName);
    for (const [field, key] of Object.entries(keys)) {
      if (key !== undefined && !/^[-._a-zA-Z0-9]+$/.test(key)) {
        throw new Error(`LatchCredentials.fromSecret: ${field} key '${key}' is not a valid Secret key (letters, digits, '-', '_', '.')`);
      }
    }
    return new LatchCredentials(secretName, keys);
  }

  private constructor(
    /** Name of the Secret. */
    public readonly secretName: string,
    private readonly keys: LatchSecretKeys,
  ) {}

  /** Whether an operation id is configured. */
  public get hasOperation(): boolean {
    return this.keys.operationId !== undefined;
  }

  /**
   * Secret key -> file name the agent reads in `LATCH_CREDENTIALS_DIR`.
   * @internal
   */
  public _items(): Array<{ key: string; path: string }> {
    const items = [
      { key: this.keys.appId ?? 'appId', path: 'appId' },
      { key: this.keys.secretKey ?? 'secretKey', path: 'secretKey' },
      { key: this.keys.accountId ?? 'accountId', path: 'accountId' },
    ];
    if (this.keys.operationId !== undefined) items.push({ key: this.keys.operationId, path: 'operationId' });
    return items;
  }
}
