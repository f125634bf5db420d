using System.Buffers.Binary;
using System.Text;

namespace AnomalyClip.Clip.Weights;

/// <summary>Emits the small subset of pickle protocol 2 that a PyTorch checkpoint needs.</summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    public void Proto() { _out.WriteByte(0x80); _out.WriteByte(2); }
    public void EmptyDict() => _out.WriteByte((byte)'}');
    public void EmptyTuple() => _out.WriteByte((byte)')');
    public void Mark() => _out.WriteByte((byte)'(');
    public void Tuple() => _out.WriteByte((byte)'t');
    public void Reduce() => _out.WriteByte((byte)'R');
    public void SetItems() => _out.WriteByte((byte)'u');
    public void BinPersId() => _out.WriteByte((byte)'Q');
    public void Stop() => _out.WriteByte((byte)'.');
    public void Bool(bool value) => _out.WriteByte(value ? (byte)0x88 : (byte)0x89);

    public void Global(string module, string name)
    {
        _out.WriteByte((byte)'c');
        var bytes = Encoding.ASCII.GetBytes($"{module}\n{name}\n");
        _out.Write(bytes);
    }

    public void Unicode(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        _out.WriteByte((byte)'X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)bytes.Length);
        _out.Write(len);
        _out.Write(bytes);
    }

    public void Int(long value)
    {
        if (value is >= 0 and <= 255) { _out.WriteByte((byte)'K'); _out.WriteByte((byte)value); return; }
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            _out.WriteByte((byte)'J');
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
            _out.Write(b);
            return;
        }
        _out.WriteByte(0x8a); // LONG1: length byte + little-endian two's complement
        _out.WriteByte(8);
        Span<byte> l = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, value);
        _out.Write(l);
    }

    public void IntTuple(long[] values)
    {
        Mark();
        foreach (var v in values) Int(v);
        Tuple();
    }

    public byte[] ToArray() => _out.ToArray();
}
