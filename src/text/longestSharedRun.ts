/**
 * Length in code points of the longest run of characters two texts share verbatim.
 *
 * A suffix automaton of `source` recognises every substring of it; walking `text` through
 * it while tracking the longest match ending at each position gives the answer in
 * O(|text| + |source|) time, which matters when whole trajectories are compared with
 * whole answers over a data set.
 */
export function longestSharedRun(text: string, source: string): number {
    if (text === "" || source === "")
        return 0;
    const automaton = new SuffixAutomaton();
    for (const char of source)
        automaton.extend(char.codePointAt(0)!);
    const { next, link, length } = automaton;
    let state = 0;
    let matched = 0;
    let best = 0;
    for (const char of text) {
        const code = char.codePointAt(0)!;
        let target = next[state]!.get(code);
        // Drop characters from the front of the match until it can be extended.
        while (target == null && state !== 0) {
            state = link[state]!;
            matched = length[state]!;
            target = next[state]!.get(code);
        }
        if (target == null) {
            matched = 0;
        } else {
            state = target;
            matched++;
        }
        if (matched > best)
            best = matched;
    }
    return best;
}

/** The minimal automaton of all substrings of a text, built one character at a time. */
class SuffixAutomaton {
    public readonly next: Map<number, number>[] = [new Map()];
    /** Suffix link: the state of the longest suffix that belongs to a different state (-1 for the root). */
    public readonly link: number[] = [-1];
    /** Length of the longest string ending in each state. */
    public readonly length: number[] = [0];
    private last = 0;

    public extend(code: number): void {
        const current = this.addState(this.length[this.last]! + 1, new Map(), -1);
        let state = this.last;
        while (state !== -1 && !this.next[state]!.has(code)) {
            this.next[state]!.set(code, current);
            state = this.link[state]!;
        }
        if (state === -1) {
            this.link[current] = 0;
        } else {
            const target = this.next[state]!.get(code)!;
            if (this.length[state]! + 1 === this.length[target]) {
                this.link[current] = target;
            } else {
                // Split `target` so that states keep one consistent longest length.
                const clone = this.addState(this.length[state]! + 1, new Map(this.next[target]!), this.link[target]!);
                while (state !== -1 && this.next[state]!.get(code) === target) {
                    this.next[state]!.set(code, clone);
                    state = this.link[state]!;
                }
                this.link[target] = clone;
                this.link[current] = clone;
            }
        }
        this.last = current;
    }

    private addState(length: number, next: Map<number, number>, link: number): number {
        this.next.push(next);
        this.link.push(link);
        this.length.push(length);
        return this.next.length - 1;
    }
}
