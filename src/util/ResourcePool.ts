/** Hands out a fixed set of resources (context sequences) to concurrent users, first come first served. */
export class ResourcePool<T> {
    private readonly free: T[];
    private readonly waiting: ((resource: T) => void)[] = [];

    public constructor(resources: Iterable<T>) {
        this.free = [...resources];
    }

    public async acquire(): Promise<T> {
        const resource = this.free.pop();
        if (resource != null)
            return resource;
        return await new Promise((resolve) => this.waiting.push(resolve));
    }

    public release(resource: T): void {
        const next = this.waiting.shift();
        if (next != null)
            next(resource);
        else
            this.free.push(resource);
    }

    /** Runs `use` with a resource and always gives it back. */
    public async with<R>(use: (resource: T) => Promise<R>): Promise<R> {
        const resource = await this.acquire();
        try {
            return await use(resource);
        } finally {
            this.release(resource);
        }
    }
}
