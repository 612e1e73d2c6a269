// A local stand-in for Hugging Face and PyPI, on 127.0.0.1: serves files (with HEAD and
// byte ranges, as node-llama-cpp's downloader asks), PEP 691 JSON project pages listing
// wheels, and paths that accept a connection but never answer. It counts every request,
// so a test can tell that a command touched the network, or did not.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { zipFiles } from "./zipFiles.js";

export const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

/** A wheel file name as pip builds it: the project name with runs of -_. as one underscore. */
export const wheelFileName = (project: string, version: string): string =>
    `${project.toLowerCase().replace(/[-_.]+/gu, "_")}-${version}-py3-none-any.whl`;

export class FakeModelServer {
    public readonly requests: string[] = [];
    private readonly files = new Map<string, Buffer>();
    private readonly silent: string[] = [];
    private readonly stalled = new Map<string, number>();
    private readonly sockets = new Set<Socket>();

    private constructor(private readonly server: Server, public readonly url: string) {}

    public static async start(): Promise<FakeModelServer> {
        let instance: FakeModelServer | undefined;
        const server = createServer((request, response) => instance!.handle(request, response));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        instance = new FakeModelServer(server, `http://127.0.0.1:${port}`);
        server.on("connection", (socket) => {
            instance!.sockets.add(socket);
            socket.on("close", () => instance!.sockets.delete(socket));
        });
        return instance;
    }

    /** The PyPI index URL to give $REER_PYPI_INDEX_URL. */
    public get pypiIndex(): string {
        return `${this.url}/simple/`;
    }

    public serve(urlPath: string, body: Buffer): void {
        this.files.set(urlPath, body);
    }

    /** Sends the first `bytes` of `urlPath`'s body (announcing all of it), then nothing more. */
    public stallAfter(urlPath: string, bytes: number): void {
        this.stalled.set(urlPath, bytes);
    }

    /** Requests under `prefix` are accepted and never answered. */
    public hang(prefix: string): void {
        this.silent.push(prefix);
    }

    /**
     * Publishes `project`==`version` as a wheel holding `members`, on a project page that
     * also lists an older wheel and an sdist (which must not be picked). `indexSha256`
     * overrides the hash the page gives. Returns the wheel's bytes and sha256.
     */
    public publishWheel(project: string, version: string, members: { name: string; data: Buffer }[], options: { indexSha256?: string } = {}): { wheel: Buffer; sha256: string } {
        const wheel = zipFiles(members);
        const normalized = project.toLowerCase().replace(/[-_.]+/gu, "-");
        const filename = wheelFileName(project, version);
        const older = zipFiles([{ name: "old/empty.txt", data: Buffer.from("older version") }]);
        this.serve(`/files/${filename}`, wheel);
        this.serve(`/files/${wheelFileName(project, "0.0.1")}`, older);
        const page = {
            meta: { "api-version": "1.1" },
            name: normalized,
            files: [
                { filename: wheelFileName(project, "0.0.1"), url: `${this.url}/files/${wheelFileName(project, "0.0.1")}`, hashes: { sha256: sha256(older) }, size: older.length },
                { filename: `${project}-${version}.tar.gz`, url: `${this.url}/files/none.tar.gz`, hashes: { sha256: "0".repeat(64) }, size: 1 },
                // A relative URL, as PEP 691 allows.
                { filename, url: `../../files/${filename}`, hashes: { sha256: options.indexSha256 ?? sha256(wheel) }, size: wheel.length }
            ]
        };
        this.serve(`/simple/${normalized}/`, Buffer.from(JSON.stringify(page)));
        return { wheel, sha256: sha256(wheel) };
    }

    public async close(): Promise<void> {
        for (const socket of this.sockets)
            socket.destroy();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private handle(request: IncomingMessage, response: ServerResponse): void {
        const urlPath = new URL(request.url ?? "/", this.url).pathname;
        this.requests.push(`${request.method} ${urlPath}`);
        if (this.silent.some((prefix) => urlPath.startsWith(prefix)))
            return;
        const body = this.files.get(urlPath);
        if (body == null) {
            response.writeHead(404).end("not found");
            return;
        }
        const type = urlPath.startsWith("/simple/") ? "application/vnd.pypi.simple.v1+json" : "application/octet-stream";
        const range = /^bytes=(\d+)-(\d*)$/u.exec(request.headers.range ?? "");
        if (range != null) {
            const start = Number(range[1]);
            const end = range[2] === "" ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
            response.writeHead(206, {
                "content-type": type, "accept-ranges": "bytes",
                "content-length": end - start + 1, "content-range": `bytes ${start}-${end}/${body.length}`
            });
            response.end(request.method === "HEAD" ? undefined : body.subarray(start, end + 1));
            return;
        }
        response.writeHead(200, { "content-type": type, "accept-ranges": "bytes", "content-length": body.length });
        const stallAt = this.stalled.get(urlPath);
        if (stallAt != null && request.method !== "HEAD") {
            response.write(body.subarray(0, stallAt));
            return;
        }
        response.end(request.method === "HEAD" ? undefined : body);
    }
}
