using System.Buffers.Binary;
using System.Text;

namespace AnomalyClip.Tests.Clip.Weights;

/// <summary>
/// Emits protocol-2 pickle opcodes by hand, the way torch.save / torch.jit.save lay them out, so tests can craft
/// checkpoints (views, shared storages, TorchScript module trees, hostile globals) without Python.
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    public PickleWriter() => Op(0x80).Op(2); // PROTO 2

    public PickleWriter Op(byte op)
    {
        _out.WriteByte(op);
        return this;
    }

    public PickleWriter Ops(params byte[] ops)
    {
        _out.Write(ops);
        return this;
    }

    public PickleWriter Global(string module, string name) =>
        Op((byte)'c').Ops(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleWriter Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        Op((byte)'X');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, b.Length);
        _out.Write(n);
        _out.Write(b);
        return this;
    }

    public PickleWriter Int(long v)
    {
        Span<byte> b = stackalloc byte[8];
        if (v is >= 0 and < 256) return Op((byte)'K').Op((byte)v);
        if (v is >= 0 and < 65536)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
            return Op((byte)'M').Ops(b[..2].ToArray());
        }
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            return Op((byte)'J').Ops(b[..4].ToArray());
        }
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return Op(0x8a).Op(8).Ops(b.ToArray()); // LONG1
    }

    public PickleWriter Mark() => Op((byte)'(');
    public PickleWriter Tuple() => Op((byte)'t');
    public PickleWriter EmptyTuple() => Op((byte)')');
    public PickleWriter EmptyDict() => Op((byte)'}');
    public PickleWriter EmptyList() => Op((byte)']');
    public PickleWriter Appends() => Op((byte)'e');
    public PickleWriter SetItems() => Op((byte)'u');
    public PickleWriter SetItem() => Op((byte)'s');
    public PickleWriter Reduce() => Op((byte)'R');
    public PickleWriter Build() => Op((byte)'b');
    public PickleWriter NewObj() => Op(0x81);
    public PickleWriter BinPersId() => Op((byte)'Q');
    public PickleWriter Bool(bool v) => Op(v ? (byte)0x88 : (byte)0x89);
    public PickleWriter Put(int i) => Op((byte)'q').Op((byte)i);
    public PickleWriter LongPut(int i) => Op((byte)'r').Ops(BitConverter.GetBytes(i));
    public PickleWriter LongGet(int i) => Op((byte)'j').Ops(BitConverter.GetBytes(i));
    public PickleWriter Stop() => Op((byte)'.');

    public PickleWriter IntTuple(IEnumerable<long> values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary>The persistent id torch emits for a storage: ('storage', torch.&lt;T&gt;Storage, key, location, numel).</summary>
    public PickleWriter StorageId(string storageType, string key, long numel, string location = "cpu") =>
        Mark().Str("storage").Global("torch", storageType).Str(key).Str(location).Int(numel).Tuple().BinPersId();

    /// <summary>
    /// <c>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())</c>; <paramref name="storage"/>
    /// pushes the storage (a fresh persistent id, or a memo get of one).
    /// </summary>
    public PickleWriter Tensor(Action<PickleWriter> storage, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        storage(this);
        return Int(offset).IntTuple(size).IntTuple(stride).Bool(false)
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Tuple().Reduce();
    }

    public byte[] ToArray() => _out.ToArray();
}
