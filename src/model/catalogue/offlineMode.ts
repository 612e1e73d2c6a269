export const OFFLINE_ENV = "REER_OFFLINE";

/**
 * Offline mode: nothing touches the network, and a model that would need downloading is an
 * error instead. On with --offline, or with REER_OFFLINE set to anything but "", "0" or "false".
 */
export function isOffline(flag?: boolean): boolean {
    if (flag === true)
        return true;
    const value = process.env[OFFLINE_ENV]?.trim().toLowerCase();
    return value != null && value !== "" && value !== "0" && value !== "false";
}
