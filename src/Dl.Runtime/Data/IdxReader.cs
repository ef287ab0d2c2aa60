using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace Dl.Data;

/// <summary>
/// One IDX file read front to back as a stream, raw or gzip-compressed. The header comes first and is the only
/// source of sizes: the body is read in chunks no bigger than what has already arrived (so a lying header costs at
/// most twice the bytes really there), reading stops one byte past what the header promises (so a decompression
/// bomb is never inflated), and nothing of the gzip trailer sizes anything (its size field is only compared, at
/// the end, with what was decompressed).
/// </summary>
internal sealed class IdxReader : IDisposable
{
    private const int FirstChunk = 1 << 16, LargestChunk = 1 << 24;

    private readonly FileStream _file;
    private readonly GZipStream? _gzip;
    private readonly Stream _stream;
    private long _position;

    private IdxReader(string fullPath, FileStream file, GZipStream? gzip)
    {
        FullPath = fullPath;
        _file = file;
        _gzip = gzip;
        _stream = (Stream?)gzip ?? file;
    }

    /// <summary>The file's full path, which starts every message.</summary>
    public string FullPath { get; }

    /// <summary>Opens <paramref name="path"/>, gzip-decompressing when it starts with 1F 8B.</summary>
    /// <exception cref="FileNotFoundException">No such file (the message names its full path).</exception>
    public static IdxReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"IDX file not found: {full}", full);
        var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
            return new IdxReader(full, file, gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : null);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _gzip?.Dispose();
        _file.Dispose();
    }

    /// <summary>A malformed-file error: the message starts with the file's full path.</summary>
    public InvalidDataException Invalid(string problem, Exception? inner = null) => new($"{FullPath}: {problem}", inner);

    /// <summary>Reads the magic number and the header's dimensions (big-endian int32 each).</summary>
    public void ReadHeader(int expectedMagic, string kind, Span<int> dimensions)
    {
        int magic = ReadInt32("magic number", 4);
        if (magic != expectedMagic)
            throw Invalid($"wrong magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} (IDX {kind})");
        int headerBytes = 4 + 4 * dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) dimensions[i] = ReadInt32("header", headerBytes);
    }

    /// <summary>
    /// Reads the <paramref name="length"/> body bytes the header promised (<paramref name="what"/> names them),
    /// then checks the file ends there; for gzip, that its trailer is whole and agrees.
    /// </summary>
    public List<byte[]> ReadBody(long length, string what)
    {
        long need = _position + length;
        if (_gzip is null)
        {
            // A raw file's length is known: a header that promises more, or less, is refused before anything is allocated.
            if (_file.Length < need) throw Truncated(what, need, _file.Length);
            if (_file.Length > need) throw Invalid($"{_file.Length - need} bytes more data than its header promises ({what}, {need} bytes in all)");
        }
        var chunks = new List<byte[]>();
        while (_position < need)
        {
            // Each chunk at most as big as what has arrived so far: a header's promise alone never buys memory.
            int size = (int)Math.Min(need - _position, Math.Clamp(_position, FirstChunk, LargestChunk));
            var chunk = new byte[size];
            int read = Read(chunk);
            if (read < size) throw Truncated(what, need, _position);
            chunks.Add(chunk);
        }
        Span<byte> probe = stackalloc byte[1];
        if (Read(probe) != 0) throw Invalid($"more data than its header promises ({what}, {need} bytes in all)");
        if (_gzip is not null) CheckGzipTrailer();
        return chunks;
    }

    private int ReadInt32(string what, int need)
    {
        Span<byte> word = stackalloc byte[4];
        long start = _position;
        int read = Read(word);
        if (read < 4) throw Truncated(what, need, start + read);
        return BinaryPrimitives.ReadInt32BigEndian(word);
    }

    /// <summary>Fills <paramref name="buffer"/> unless the stream ends first; returns the bytes read.</summary>
    private int Read(Span<byte> buffer)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = _stream.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        // GZipStream reports a broken CRC as "an unsupported compression method": say what it means.
        catch (InvalidDataException e)
        {
            throw Invalid($"corrupt gzip data: the compressed stream or its CRC-32 is damaged after {_position + total} decompressed bytes", e);
        }
        _position += total;
        return total;
    }

    /// <summary>
    /// GZipStream ends without a word when the trailer (CRC-32 and size) is missing or cut. Its size field, the
    /// last four bytes, must equal the decompressed length modulo 2^32: this also refuses bytes appended after the
    /// gzip data. Files of several gzip members are refused too (their last size counts only the last member).
    /// </summary>
    private void CheckGzipTrailer()
    {
        if (_file.Length < 18) throw Invalid("corrupt gzip data: the file is too short to hold a gzip header and trailer");
        Span<byte> size = stackalloc byte[4];
        _file.Position = _file.Length - 4;
        _file.ReadExactly(size);
        uint stated = BinaryPrimitives.ReadUInt32LittleEndian(size);
        if (stated != (uint)_position)
            throw Invalid($"corrupt gzip data: the trailer is missing or damaged (it gives the size as {stated}, {_position} bytes were decompressed)");
    }

    private InvalidDataException Truncated(string what, long need, long found) =>
        Invalid($"truncated IDX file: {what}: {need} bytes expected, {found} found");
}
