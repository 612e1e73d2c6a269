// The test oracle's view of a GGUF file: metadata and tensor offsets from node-llama-cpp's
// reader (JavaScript, apart from the llama.cpp loader the engine uses), F32 tensor data
// decoded here. The oracle's independence is in its arithmetic, not in its header parsing.
import { readFileSync } from "node:fs";
import { GgmlType, readGgufFileInfo, type GgufTensorInfo } from "node-llama-cpp";

export type GgufF32Tensor = {
    dims: number[];
    data: Float64Array;
};

export class GgufFile {
    private constructor(
        private readonly metadata: object,
        readonly tensors: ReadonlyMap<string, GgufTensorInfo>,
        private readonly bytes: Buffer
    ) {}

    static async read(filePath: string): Promise<GgufFile> {
        const info = await readGgufFileInfo(filePath, { readTensorInfo: true, logWarnings: false });
        const tensors = new Map((info.tensorInfo ?? []).map((tensor) => [tensor.name, tensor]));
        return new GgufFile(info.metadata, tensors, readFileSync(filePath));
    }

    /** A metadata value by its dotted key (node-llama-cpp nests the metadata by the key's parts). */
    getValue(key: string): unknown {
        return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], this.metadata);
    }

    /** Metadata value as a JS number; throws when absent (unless a fallback is given). */
    getNumber(key: string, fallback?: number): number {
        const value = this.getValue(key);
        if (value === undefined) {
            if (fallback !== undefined)
                return fallback;
            throw new Error(`GGUF metadata key ${key} is missing`);
        }
        if (typeof value === "number")
            return value;
        if (typeof value === "bigint") {
            if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
                throw new Error(`GGUF metadata key ${key} does not fit a JS number`);
            return Number(value);
        }
        throw new Error(`GGUF metadata key ${key} is not numeric`);
    }

    /** Decodes an F32 tensor into float64 (lossless widening). Other types are refused. */
    getF32Tensor(name: string): GgufF32Tensor {
        const info = this.tensors.get(name);
        if (info === undefined)
            throw new Error(`GGUF tensor ${name} is missing`);
        if (info.ggmlType !== GgmlType.F32)
            throw new Error(`GGUF tensor ${name} has ggml type ${info.ggmlType}; the reference reader decodes only F32 (type 0)`);

        const dims = info.dimensions.map(Number);
        const count = dims.reduce((product, dim) => product * dim, 1);
        const start = Number(info.fileOffset);
        if (start + count * 4 > this.bytes.length)
            throw new Error(`GGUF tensor ${name} runs past the end of the file`);

        const data = new Float64Array(count);
        for (let i = 0; i < count; i++)
            data[i] = this.bytes.readFloatLE(start + i * 4);
        return { dims, data };
    }

    hasTensor(name: string): boolean {
        return this.tensors.has(name);
    }
}
