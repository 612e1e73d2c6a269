export const NETWORK_TIMEOUT_ENV = "REER_NETWORK_TIMEOUT_S";

/**
 * How long a source may stay silent before it is given up on: to answer a DNS lookup, to
 * answer a request, and between two chunks of a download. 30 s unless
 * $REER_NETWORK_TIMEOUT_S says otherwise (seconds, fractions allowed).
 */
export function networkTimeoutMs(): number {
    const seconds = Number(process.env[NETWORK_TIMEOUT_ENV]);
    return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 30_000;
}
