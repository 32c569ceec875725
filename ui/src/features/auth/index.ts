// The auth feature: the sign-in dialog a 401 opens, and the account line in the frame.
export { Account } from "./components/account";
export { AuthGate } from "./components/auth-gate";
