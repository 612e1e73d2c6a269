/** A seeded generator of normal deviates (Box-Muller on a 32-bit LCG), so test rows are the same every run. */
export function seededNormals(seed: number): () => number {
    let state = seed >>> 0;
    const uniform = () => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return (state + 0.5) / 4294967296;
    };
    return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
