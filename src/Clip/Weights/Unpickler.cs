using System.Buffers.Binary;
using System.Text;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// A pickle virtual machine that only builds data. It never imports or calls anything: GLOBAL, REDUCE, NEWOBJ,
/// BUILD and persistent ids are handed to an <see cref="IPickleHost"/>, which accepts an allow-list and rejects the
/// rest. Values are <c>null</c>, <c>bool</c>, <c>long</c>, <c>double</c>, <c>string</c>, <c>byte[]</c>,
/// <c>object?[]</c> (tuples), <see cref="List{T}"/> (lists), <see cref="PickleDict"/> (dicts) and whatever the host
/// returns. Every length is checked against the remaining input, so garbage fails with a
/// <see cref="PickleException"/> rather than a huge allocation.
/// </summary>
internal sealed class Unpickler
{
    private readonly byte[] _data;
    private readonly IPickleHost _host;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    private Unpickler(byte[] data, IPickleHost host)
    {
        _data = data;
        _host = host;
    }

    /// <summary>Runs the pickle program in <paramref name="data"/> and returns the object left by STOP.</summary>
    /// <exception cref="PickleException">Malformed program, unknown opcode or a rejected global.</exception>
    public static object? Load(byte[] data, IPickleHost host) => new Unpickler(data, host).Run();

    private object? Run()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Fail("pickle ends without STOP");
            int at = _pos;
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: // PROTO
                    if (ReadByte() > 5) throw Fail($"unsupported pickle protocol {_data[_pos - 1]}", at);
                    break;
                case 0x95: // FRAME: only a read-ahead hint
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0) throw Fail("STOP with a malformed stack", at);
                    return _stack[0];
                case (byte)'(': _marks.Add(_stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': _stack.Add(Peek()); break; // DUP
                case (byte)'N': _stack.Add(null); break; // NONE
                case 0x88: _stack.Add(true); break; // NEWTRUE
                case 0x89: _stack.Add(false); break; // NEWFALSE
                case (byte)'K': _stack.Add((long)ReadByte()); break; // BININT1
                case (byte)'M': _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case (byte)'J': _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case 0x8a: _stack.Add(ReadLong(ReadByte(), at)); break; // LONG1
                case 0x8b: _stack.Add(ReadLong(ReadLength(4, at), at)); break; // LONG4
                case (byte)'G': _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': _stack.Add(Utf8(ReadLength(4, at), at)); break; // BINUNICODE
                case 0x8c: _stack.Add(Utf8(ReadByte(), at)); break; // SHORT_BINUNICODE
                case 0x8d: _stack.Add(Utf8(ReadLength(8, at), at)); break; // BINUNICODE8
                case (byte)'T': _stack.Add(Encoding.Latin1.GetString(Take(ReadLength(4, at)))); break; // BINSTRING
                case (byte)'U': _stack.Add(Encoding.Latin1.GetString(Take(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': _stack.Add(Take(ReadLength(4, at)).ToArray()); break; // BINBYTES
                case (byte)'C': _stack.Add(Take(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: _stack.Add(Take(ReadLength(8, at)).ToArray()); break; // BINBYTES8
                case (byte)'}': _stack.Add(new PickleDict()); break; // EMPTY_DICT
                case (byte)'d': _stack.Add(ToDict(PopMark(), at)); break; // DICT
                case (byte)']': _stack.Add(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': _stack.Add(PopMark()); break; // LIST
                case (byte)')': _stack.Add(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)'t': _stack.Add(PopMark().ToArray()); break; // TUPLE
                case 0x85: _stack.Add(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'a': { var v = Pop(); AsList(Peek(), at).Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(); AsList(Peek(), at).AddRange(items); break; } // APPENDS
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(Peek(), k, v, at); break; } // SETITEM
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw Fail("SETITEMS with an odd number of items", at);
                    var target = Peek();
                    for (int i = 0; i < items.Count; i += 2) SetItem(target, items[i], items[i + 1], at);
                    break;
                }
                case (byte)'c': // GLOBAL
                {
                    var module = ReadLine(at);
                    var name = ReadLine(at);
                    _stack.Add(_host.Global(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw Fail("STACK_GLOBAL name is not a string", at);
                    var module = Pop() as string ?? throw Fail("STACK_GLOBAL module is not a string", at);
                    _stack.Add(_host.Global(module, name));
                    break;
                }
                case (byte)'Q': _stack.Add(_host.PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'R': // REDUCE
                {
                    var args = Pop() as object?[] ?? throw Fail("REDUCE arguments are not a tuple", at);
                    var callable = Pop() ?? throw Fail("REDUCE of None", at);
                    _stack.Add(_host.Reduce(callable, args));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop() as object?[] ?? throw Fail("NEWOBJ arguments are not a tuple", at);
                    var cls = Pop() ?? throw Fail("NEWOBJ of None", at);
                    _stack.Add(_host.NewObject(cls, args));
                    break;
                }
                case (byte)'b': { var state = Pop(); _host.Build(Peek(), state); break; } // BUILD
                case (byte)'h': _stack.Add(MemoGet(ReadByte(), at)); break; // BINGET
                case (byte)'j': _stack.Add(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at)); break; // LONG_BINGET
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                default:
                    throw Fail($"unsupported pickle opcode 0x{op:x2}", at);
            }
        }
    }

    private PickleException Fail(string message, int? at = null) =>
        new($"{message} (at pickle byte {at ?? _pos})");

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw Fail("pickle ends inside an opcode argument");
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || n > _data.Length - _pos) throw Fail($"pickle ends inside an opcode argument ({n} bytes wanted)");
        var span = _data.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    /// <summary>Reads a 4- or 8-byte little-endian length and checks that that many bytes remain.</summary>
    private int ReadLength(int width, int at)
    {
        var bytes = Take(width);
        ulong n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(_data.Length - _pos)) throw Fail($"length {n} runs past the end of the pickle", at);
        return (int)n;
    }

    private string Utf8(int n, int at)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(n));
        }
        catch (DecoderFallbackException)
        {
            throw Fail("string is not valid UTF-8", at);
        }
    }

    private long ReadLong(int n, int at)
    {
        if (n > 8) throw Fail($"integer of {n} bytes does not fit 64 bits", at);
        var bytes = Take(n);
        if (n == 0) return 0;
        long value = (sbyte)bytes[n - 1]; // sign-extends the most significant byte
        for (int i = n - 2; i >= 0; i--) value = (value << 8) | bytes[i];
        return value;
    }

    private string ReadLine(int at)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Fail("GLOBAL name is not terminated", at);
        var text = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return text;
    }

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw Fail("stack underflow");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw Fail("stack underflow");
        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Fail("no MARK on the stack");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private object? MemoGet(long key, int at) =>
        _memo.TryGetValue(key, out var v) ? v : throw Fail($"memo key {key} was never stored", at);

    private List<object?> AsList(object? target, int at) =>
        target as List<object?> ?? throw Fail($"cannot append to {PickleDict.Describe(target)}", at);

    private PickleDict ToDict(List<object?> items, int at)
    {
        if (items.Count % 2 != 0) throw Fail("DICT with an odd number of items", at);
        var d = new PickleDict();
        for (int i = 0; i < items.Count; i += 2) SetItem(d, items[i], items[i + 1], at);
        return d;
    }

    private void SetItem(object? target, object? key, object? value, int at)
    {
        if (target is not PickleDict d) throw Fail($"cannot set an item on {PickleDict.Describe(target)}", at);
        if (key is null) throw Fail("dict key is None", at);
        d[key] = value;
    }
}
