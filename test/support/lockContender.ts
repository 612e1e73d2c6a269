// A process that competes for a trace's lock: it waits until the start time given (so all
// contenders try at once), tries to take the lock, says what happened as one JSON line,
// and holds a lock it got long enough for every other contender to have tried.
import { TraceLock } from "../../src/trace/TraceLock.js";

const [trace, startAt, holdMs] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
    // Busy-wait: a timer's granularity would spread the contenders out.
}
try {
    const lock = TraceLock.acquire(trace!, { onNote: () => {} });
    process.stdout.write(JSON.stringify({ acquired: true }) + "\n");
    setTimeout(() => lock.release(), Number(holdMs));
} catch (error) {
    const { code, message } = error as { code?: string; message: string };
    process.stdout.write(JSON.stringify({ acquired: false, code, message }) + "\n");
}
