/**
 * DPoP (RFC 9449) and encrypted persistence: loaded by `createClient` with a dynamic
 * `import()` only when the configuration sets `dpop` or `persist`, together with the wasm
 * built with the `dpop` feature. Apps that use neither never download this module or that
 * wasm.
 *
 * This module performs and decides nothing by itself: it keeps the keys (non-extractable
 * `CryptoKey`s in IndexedDB, one set per issuer and client), signs the signing inputs the
 * core builds, encrypts and decrypts the records the core prepares and reads, stores those
 * records, and takes the Web Lock around a refresh in `"browser"` mode.
 *
 * @module
 */
// Only types come from the main entry's modules: a bundler that splits code then has nothing
// to share between this chunk and the main one, and keeps the main entry one file.
import type { WasmClient } from "../wasm-dpop/browser_oauth_dpop.js";
import type { ErrorCode } from "./errors.js";

/** The wasm-bindgen glue of the `dpop` build. */
export type Glue = typeof import("../wasm-dpop/browser_oauth_dpop.js");

// Private references, taken when the module is evaluated (at the first createClient that
// asks for DPoP or persistence), as index.ts does: script that replaces a global or a
// prototype method later sees none of the tokens, proofs or records that pass through here.
const root = globalThis;
const apply = Reflect.apply;
const subtle = root.crypto.subtle;
const sign = subtle.sign.bind(subtle);
const encrypt = subtle.encrypt.bind(subtle);
const decryptRef = subtle.decrypt.bind(subtle);
const exportKey = subtle.exportKey.bind(subtle);
const generateKey = subtle.generateKey.bind(subtle);
const idb = root.indexedDB;
const openDb = idb.open.bind(idb);
const session = root.sessionStorage;
const encoder = new root.TextEncoder();
const encode = encoder.encode.bind(encoder);
const atobRef = root.atob.bind(root);
const parseJson = JSON.parse;
const fetchRef: typeof fetch = root.fetch.bind(root);
const RequestRef = root.Request;
const HeadersRef = root.Headers;
const requestClone = RequestRef.prototype.clone;
const requestHeaders = Object.getOwnPropertyDescriptor(RequestRef.prototype, "headers")?.get;
const headersGet = root.Headers.prototype.get;
const headersSet = root.Headers.prototype.set;
const locks = root.navigator?.locks;
const locksRequest = locks?.request.bind(locks);
/** `headers.get(name)` through the private reference. */
const headerOf = (headers: Headers, name: string): string | null => apply(headersGet, headers, [name]) as string | null;

/** The IndexedDB database, its store of key sets and its store of `"browser"` records. */
const DB = "browser-oauth";
const KEYS = "keys";
const RECORDS = "sessions";

/** `resourceRetry` answers (src/core/dpop.rs `ResourceRetry`): send again with the new nonce; refresh, then send again. */
const RETRY_NONCE = 1;
const RETRY_REFRESH = 2;

/** The keys of one issuer and client: the ES256 pair for DPoP and the AES-GCM-256 key. */
interface KeySet {
  dpop: CryptoKeyPair;
  aes: CryptoKey;
}

/** Runs one request in a fresh IndexedDB transaction and resolves with its result. */
async function inStore<T>(store: string, mode: IDBTransactionMode, action: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = openDb(DB, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore(KEYS);
      open.result.createObjectStore(RECORDS);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = action(tx.objectStore(store));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = tx.onabort = () => reject(tx.error ?? request.error);
    });
  } finally {
    db.close();
  }
}

/** A fresh key set: both private keys non-extractable (the public DPoP key always is). */
async function generateKeys(): Promise<KeySet> {
  const dpop = await generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const aes = await generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  return { dpop, aes };
}

const fromBase64url = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atobRef(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** The client configuration members this module reads. */
export interface Settings {
  issuer: string;
  clientId: string;
  dpop?: boolean | "optional";
  persist?: "tab" | "browser";
}

/** What `createClient` gives this module: the core, its operation runner and the error type. */
export interface Host {
  core: WasmClient;
  /** Runs a core call, converting its errors and delivering its events. */
  call<T>(fn: () => T): T;
  /** Drives one core operation to its end. */
  run(first: () => string): Promise<unknown>;
  /** A `BrowserOAuthError` with this code and message. */
  error(code: ErrorCode, message: string): Error;
}

/** What one attempt of a request presenting the access token gave. */
export interface Attempt<T> {
  status: number;
  /** The `DPoP-Nonce` header. */
  nonce: string | null;
  /** The `WWW-Authenticate` header. */
  challenge: string | null;
  /** What the caller gets if this is the last attempt. */
  result: T;
}

/** The DPoP and persistence half of one client. */
export interface Extension {
  /** The `DPoP` header for a proof signing input from the core. */
  proof(signingInput: string): Promise<string>;
  /** A response carried a `DPoP-Nonce` header. */
  nonce(url: string, value: string | null): void;
  /** Before navigating to the authorization URL: the key pair it is bound to is stored. */
  beforeLogin(): Promise<void>;
  /** After a login: persists the session. */
  afterLogin(): Promise<void>;
  /** Runs a refresh: in `"browser"` mode under the Web Lock, on the shared record's newest refresh token; then persists. */
  refresh(inner: () => Promise<void>): Promise<void>;
  /**
   * A request presenting the access token (`token()`): `send` makes one attempt with the
   * `Authorization` value (`DPoP <token>`, or `Bearer <token>` for an unbound one) and the
   * `DPoP` proof (none for an unbound token); one retry on a nonce challenge, and one
   * `refresh` and retry on an `invalid_token` challenge, as the core decides. Resolves with
   * the last attempt's result.
   */
  present<T>(
    method: string,
    url: string,
    token: () => Promise<string>,
    refresh: () => Promise<void>,
    send: (authorization: string, proof: string | undefined) => Promise<Attempt<T>>,
  ): Promise<T>;
  /** `client.fetch` through {@link Extension.present}. */
  fetch(request: Request, token: () => Promise<string>, refresh: () => Promise<void>): Promise<Response>;
  /** Restores a persisted session, if any; never throws. */
  restore(): Promise<void>;
  /** Logout (here or in another tab): removes the records and both keys; new keys for the next login. */
  wipe(): Promise<void>;
}

/** Attaches DPoP and persistence to a new client. */
export async function attach(settings: Settings, host: Host, glue: Glue): Promise<Extension> {
  const { core, call, run, error } = host;
  const id = `${settings.clientId} ${settings.issuer}`;
  const recordKey = `browser-oauth:session ${id}`;
  const mode = settings.persist;
  let stored = await inStore<KeySet | undefined>(KEYS, "readonly", (s) => s.get(id)).catch(() => undefined);
  let keys = stored ?? (await generateKeys());

  const useKeys = async (): Promise<void> => {
    const jwk = await exportKey("jwk", keys.dpop.publicKey);
    call(() => core.call(Op.SetDpopKey, 0, jwk.x ?? "", jwk.y ?? ""));
  };
  const storeKeys = async (): Promise<void> => {
    if (stored === keys) return;
    await inStore(KEYS, "readwrite", (s) => s.put(keys, id));
    stored = keys;
  };
  const readRecord = async (): Promise<string | undefined> =>
    mode === "tab"
      ? (session.getItem(recordKey) ?? undefined)
      : await inStore<string | undefined>(RECORDS, "readonly", (s) => s.get(id));
  const removeRecord = async (): Promise<void> => {
    if (mode === "tab") session.removeItem(recordKey);
    else await inStore(RECORDS, "readwrite", (s) => s.delete(id)).catch(() => undefined);
  };

  /** Writes the session as it is now, encrypted; removes the record when nothing persists. */
  const save = async (): Promise<void> => {
    if (mode === undefined) return;
    const prepared = call(() => core.call(Op.PersistSeal, 0));
    if (prepared === undefined) return removeRecord();
    const { iv, aad } = parseJson(prepared) as { iv: string; aad: string };
    const plaintext = core.persistPlaintext();
    let ciphertext: ArrayBuffer;
    try {
      ciphertext = await encrypt(
        { name: "AES-GCM", iv: fromBase64url(iv), additionalData: encode(aad) },
        keys.aes,
        plaintext as Uint8Array<ArrayBuffer>,
      );
    } finally {
      plaintext.fill(0);
    }
    const record = call(() => core.persistRecord(new Uint8Array(ciphertext)));
    await storeKeys();
    if (mode === "tab") session.setItem(recordKey, record);
    else await inStore(RECORDS, "readwrite", (s) => s.put(record, id));
  };

  /** Decrypts the stored record for the core, or undefined when there is none. Throws after the core ended the session. */
  const decrypt = async (): Promise<Uint8Array | undefined> => {
    const record = await readRecord();
    if (record === undefined) return undefined;
    const { iv, ct, aad } = parseJson(call(() => core.call(Op.PersistOpen, 0, record) as string)) as { iv: string; ct: string; aad: string };
    try {
      if (stored === undefined) throw new Error("the record's key is gone");
      return new Uint8Array(await decryptRef(
        { name: "AES-GCM", iv: fromBase64url(iv), additionalData: encode(aad) },
        keys.aes,
        fromBase64url(ct),
      ));
    } catch {
      call(() => core.call(Op.PersistInvalid, 0));
      throw error("persisted_session_invalid", "persisted session invalid");
    }
  };

  /** Runs `task` under the Web Lock of this client's shared record (`"browser"` mode). */
  const exclusive = <T>(task: () => Promise<T>): Promise<T> =>
    mode === "browser" && locksRequest !== undefined ? (locksRequest(`browser-oauth:session ${id}`, task) as Promise<T>) : task();

  const proof = async (signingInput: string): Promise<string> => {
    const signature = await sign({ name: "ECDSA", hash: "SHA-256" }, keys.dpop.privateKey, encode(signingInput));
    return call(() => glue.assembleProof(signingInput, new Uint8Array(signature)));
  };
  const nonce = (url: string, value: string | null): void => {
    if (value !== null) core.call(Op.RememberNonce, 0, url, value);
  };
  const present: Extension["present"] = async (method, url, token, refresh, send) => {
    // The core decides after each answer (resourceRetry): at most one nonce retry and one
    // refresh per call, so never a loop.
    let nonceRetried = false;
    let refreshed = false;
    for (;;) {
      const accessToken = await token();
      // No signing input: the token is not bound (`dpop: "optional"`), so it goes as Bearer.
      const input = call(() => core.resourceProof(method, url, accessToken));
      const answer = input === undefined
        ? await send(`Bearer ${accessToken}`, undefined)
        : await send(`DPoP ${accessToken}`, await proof(input));
      nonce(url, answer.nonce);
      const next = call(() => core.resourceRetry(nonceRetried, refreshed, answer.status, answer.challenge ?? ""));
      if (next === RETRY_NONCE) {
        nonceRetried = true;
      } else if (next === RETRY_REFRESH) {
        refreshed = true;
        await refresh();
      } else {
        return answer.result;
      }
    }
  };

  await useKeys();
  return {
    proof,
    nonce,
    beforeLogin: storeKeys,
    afterLogin: () => exclusive(save),
    refresh(inner) {
      if (mode === undefined) return inner();
      return exclusive(async () => {
        if (mode === "browser") {
          const plaintext = await decrypt();
          if (plaintext !== undefined) {
            try {
              call(() => core.persistAdopt(plaintext));
            } finally {
              plaintext.fill(0);
            }
          }
        }
        await inner();
        await save();
      });
    },
    present,
    fetch(request, token, refresh) {
      return present(request.method, request.url, token, refresh, async (authorization, dpopProof) => {
        // A fresh Headers and a prototype-less init, as in index.ts: the token and proof go
        // into objects that no getter or method planted after load is handed.
        const attempt = apply(requestClone, request, []) as Request;
        const headers = new HeadersRef(requestHeaders === undefined ? undefined : (apply(requestHeaders, attempt, []) as Headers));
        apply(headersSet, headers, ["Authorization", authorization]);
        if (dpopProof !== undefined) apply(headersSet, headers, ["DPoP", dpopProof]);
        const response = await fetchRef(new RequestRef(attempt, { __proto__: null, headers } as RequestInit));
        return {
          status: response.status,
          nonce: headerOf(response.headers, "DPoP-Nonce"),
          challenge: headerOf(response.headers, "WWW-Authenticate"),
          result: response,
        };
      });
    },
    async restore() {
      if (mode === undefined) return;
      await exclusive(async () => {
        try {
          const plaintext = await decrypt();
          if (plaintext === undefined) return;
          try {
            await run(() => core.persistRestore(plaintext));
          } finally {
            plaintext.fill(0);
          }
          call(() => core.call(Op.PersistRestored, 0));
          await save();
        } catch {
          // Whatever failed, the session is over and its record goes: never half restored.
          if (core.call(Op.User, 0) !== undefined) call(() => core.call(Op.PersistInvalid, 0));
          await removeRecord();
        }
      });
    },
    async wipe() {
      session.removeItem(recordKey);
      await inStore(RECORDS, "readwrite", (s) => s.delete(id)).catch(() => undefined);
      await inStore(KEYS, "readwrite", (s) => s.delete(id)).catch(() => undefined);
      stored = undefined;
      keys = await generateKeys();
      await useKeys();
    },
  };
}
