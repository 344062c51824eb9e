/**
 * The operations of the core's one entry point, `WasmClient.call(op, num, text, more)`, by
 * number (src/ops.rs documents each; a Rust test keeps the two lists equal). An ambient const
 * enum, declared for the package's own sources only: tsc writes the numbers where they are
 * used, and neither a module nor a type of it ships.
 */
declare const enum Op {
  Login = 0,
  Events = 1,
  BeginRedirect = 2,
  ValidateCallback = 3,
  ExchangeCode = 4,
  StartRefresh = 5,
  Resume = 6,
  Logout = 7,
  RemoteLogout = 8,
  HandleLogoutRedirect = 9,
  UntrustedPopupMessage = 10,
  Tick = 11,
  AccessToken = 12,
  OriginAllowed = 13,
  IsAuthenticated = 14,
  User = 15,
  GrantedScope = 16,
  ExpiresAt = 17,
  UserinfoEndpoint = 18,
  Userinfo = 19,
  IsInvalidToken = 20,
  // The `dpop` build's (src/ops.rs): the other builds refuse them.
  SetDpopKey = 21,
  RememberNonce = 22,
  PersistSeal = 23,
  PersistOpen = 24,
  PersistInvalid = 25,
  PersistRestored = 26,
}

/**
 * The operations of the OAuth 1.0a entry's `WasmOAuth1Client.call(op, num, text, more, extra)`,
 * by number (src/oauth1_ops.rs documents each; a Rust test keeps the two lists equal).
 */
declare const enum OAuth1Op {
  Events = 0,
  BeginLogin = 1,
  AuthorizationUrl = 2,
  BeginCallback = 3,
  FinishLogin = 4,
  PrepareFetch = 5,
  Sign = 6,
  Finish = 7,
  TokenSecret = 8,
  SigningInput = 9,
  Discard = 10,
  ExpiresAt = 11,
  Logout = 12,
  RefuseOrigin = 13,
}
