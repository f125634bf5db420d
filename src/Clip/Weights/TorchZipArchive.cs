using System.IO.Compression;
using System.Text;
using AnomalyClip.Clip.IO;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// The zip container shared by <c>torch.save</c> (since PyTorch 1.6) and <c>torch.jit.save</c>: every entry sits
/// under one folder (<c>&lt;archive&gt;/</c>); the pickled object is <c>data.pkl</c>, each storage a raw
/// little-endian file <c>data/&lt;key&gt;</c>. TorchScript archives add <c>constants.pkl</c> and <c>code/</c>.
/// The zip is read in place (central directory plus one entry at a time), never loaded whole.
/// </summary>
internal sealed class TorchZipArchive : IDisposable
{
    // Storage bytes are read in slices this large so that no single span exceeds int.MaxValue.
    private const long ReadChunkBytes = 64L * 1024 * 1024;

    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    private TorchZipArchive(string path, ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string prefix)
    {
        FilePath = path;
        _zip = zip;
        _entries = entries;
        Prefix = prefix;
    }

    /// <summary>The file this archive was opened from (for error messages).</summary>
    public string FilePath { get; }

    /// <summary>The common folder of the entries, with a trailing slash (e.g. <c>archive/</c>).</summary>
    public string Prefix { get; }

    /// <summary>True when the archive is a TorchScript module (has <c>constants.pkl</c> or <c>code/</c>).</summary>
    public bool IsTorchScript =>
        _entries.ContainsKey(Prefix + "constants.pkl") || _entries.Keys.Any(k => k.StartsWith(Prefix + "code/", StringComparison.Ordinal));

    /// <summary>Opens <paramref name="path"/> as a PyTorch zip archive.</summary>
    /// <exception cref="ModelLoadException">Not a readable zip, or no <c>data.pkl</c>, or a big-endian archive.</exception>
    public static TorchZipArchive Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, $"cannot open weight file: {ex.Message}", ex);
        }
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            stream.Dispose();
            throw new ModelLoadException(path, $"not a readable zip archive (truncated or corrupt): {ex.Message}", ex);
        }
        try
        {
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var e in zip.Entries) entries[e.FullName.Replace('\\', '/')] = e;
            var pkl = entries.Keys
                .Where(k => k.EndsWith("data.pkl", StringComparison.Ordinal) && k.Count(c => c == '/') <= 1)
                .OrderBy(k => k.Length)
                .FirstOrDefault()
                ?? throw new ModelLoadException(path, "zip archive has no data.pkl: not a PyTorch checkpoint");
            var archive = new TorchZipArchive(path, zip, entries, pkl[..^"data.pkl".Length]);
            if (entries.ContainsKey(archive.Prefix + "byteorder"))
            {
                var order = Encoding.ASCII.GetString(archive.ReadEntry("byteorder")).Trim();
                if (order != "little")
                    throw new ModelLoadException(path, $"byteorder is '{order}'; only little-endian checkpoints are supported");
            }
            return archive;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>Whether <c>&lt;prefix&gt;/<paramref name="name"/></c> exists.</summary>
    public bool Has(string name) => _entries.ContainsKey(Prefix + name);

    /// <summary>Reads a whole (small) entry such as <c>data.pkl</c>.</summary>
    /// <exception cref="ModelLoadException">Missing or unreadable entry.</exception>
    public byte[] ReadEntry(string name)
    {
        var entry = Entry(name);
        if (entry.Length > int.MaxValue)
            throw new ModelLoadException(FilePath, $"entry {entry.FullName} is too large ({entry.Length} bytes)");
        var bytes = new byte[entry.Length];
        ReadInto(entry, s => s.ReadExactly(bytes));
        return bytes;
    }

    /// <summary>
    /// Unpickles entry <paramref name="name"/> with <paramref name="host"/>. Every failure, including a rejected
    /// global or a libtorch error on a corrupt view, becomes a <see cref="ModelLoadException"/> naming the file.
    /// </summary>
    public object? Unpickle(string name, IPickleHost host)
    {
        var bytes = ReadEntry(name);
        try
        {
            return Unpickler.Load(bytes, host);
        }
        catch (Exception ex) when (ex is not ModelLoadException)
        {
            throw new ModelLoadException(FilePath, $"cannot read {Prefix}{name}: {ex.Message}", ex);
        }
    }

    /// <summary>The text of every <c>code/**.py</c> entry, keyed by its path below <c>code/</c>.</summary>
    public IEnumerable<(string RelativePath, string Text)> CodeFiles()
    {
        var root = Prefix + "code/";
        foreach (var name in _entries.Keys.Where(k => k.StartsWith(root, StringComparison.Ordinal) && k.EndsWith(".py", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            yield return (name[root.Length..], Encoding.UTF8.GetString(ReadEntry(name[Prefix.Length..])));
    }

    /// <summary>
    /// Reads storage <paramref name="key"/> (<c>data/&lt;key&gt;</c>) as a 1-D CPU tensor of <paramref name="numel"/>
    /// elements of <paramref name="dtype"/>, straight into tensor memory.
    /// </summary>
    /// <exception cref="ModelLoadException">Missing entry, or fewer bytes than declared.</exception>
    public Tensor ReadStorage(string key, ScalarType dtype, long numel)
    {
        var entry = Entry("data/" + key);
        long elementSize = SafeTensors.ElementSize(dtype);
        if (numel < 0 || numel > entry.Length / elementSize)
            throw new ModelLoadException(FilePath,
                $"storage '{key}' is shorter than declared: {numel} elements of {dtype} need {numel * elementSize} bytes, entry has {entry.Length}");
        var storage = empty([numel], dtype);
        try
        {
            long chunk = Math.Max(1, ReadChunkBytes / elementSize);
            ReadInto(entry, s =>
            {
                for (long start = 0; start < numel; start += chunk)
                {
                    using var part = storage.narrow(0, start, Math.Min(chunk, numel - start));
                    s.ReadExactly(part.bytes);
                }
            });
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    private ZipArchiveEntry Entry(string name) =>
        _entries.TryGetValue(Prefix + name, out var e) ? e : throw new ModelLoadException(FilePath, $"archive entry {Prefix}{name} is missing");

    private void ReadInto(ZipArchiveEntry entry, Action<Stream> read)
    {
        try
        {
            using var s = entry.Open();
            read(s);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // EndOfStreamException is an IOException: the entry is shorter than its header claims.
            throw new ModelLoadException(FilePath, $"archive entry {entry.FullName} is truncated or corrupt: {ex.Message}", ex);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _zip.Dispose();
}
