// A minimal zip writer for tests: builds the wheels the fake PyPI index serves. Written
// independently of yauzl (the reader under test), from the zip format (APPNOTE 4.3):
// deflated members, no zip64, no data descriptors.
import { crc32, deflateRawSync } from "node:zlib";

export type ZipMember = { name: string; data: Buffer };

export function zipFiles(members: readonly ZipMember[]): Buffer {
    const parts: Buffer[] = [];
    const central: Buffer[] = [];
    let offset = 0;
    for (const member of members) {
        const name = Buffer.from(member.name, "utf8");
        const compressed = deflateRawSync(member.data);
        const crc = crc32(member.data);
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4);          // version needed
        local.writeUInt16LE(0x0800, 6);      // UTF-8 names
        local.writeUInt16LE(8, 8);           // deflate
        local.writeUInt16LE(0, 10);          // time
        local.writeUInt16LE(0x21, 12);       // 1980-01-01
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(compressed.length, 18);
        local.writeUInt32LE(member.data.length, 22);
        local.writeUInt16LE(name.length, 26);
        local.writeUInt16LE(0, 28);
        const header = Buffer.alloc(46);
        header.writeUInt32LE(0x02014b50, 0);
        header.writeUInt16LE(20, 4);         // made by
        header.writeUInt16LE(20, 6);         // needed
        header.writeUInt16LE(0x0800, 8);
        header.writeUInt16LE(8, 10);
        header.writeUInt16LE(0, 12);
        header.writeUInt16LE(0x21, 14);
        header.writeUInt32LE(crc, 16);
        header.writeUInt32LE(compressed.length, 20);
        header.writeUInt32LE(member.data.length, 24);
        header.writeUInt16LE(name.length, 28);
        header.writeUInt32LE(offset, 42);    // local header offset (other fields zero)
        parts.push(local, name, compressed);
        central.push(header, name);
        offset += local.length + name.length + compressed.length;
    }
    const directory = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(members.length, 8);
    end.writeUInt16LE(members.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...parts, directory, end]);
}
