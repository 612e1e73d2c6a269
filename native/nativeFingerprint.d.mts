export function nativeFiles(nativeDir: string): string[];
export function nativeFingerprint(nativeDir: string): string;
