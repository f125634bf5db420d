namespace AnomalyClip.Clip.Tokenization;

/// <summary>
/// CLIP's reversible byte→character table (<c>bytes_to_unicode</c>): printable Latin-1 bytes map to themselves,
/// the other 68 bytes to U+0100 upwards, so that every UTF-8 byte becomes one visible, non-space character.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The 256 symbols in vocabulary order (ids 0–255): printable bytes ascending, then the remapped ones.</summary>
    public static IReadOnlyList<string> SymbolsInVocabularyOrder { get; } = BuildOrder();

    private static string[] BuildOrder()
    {
        var printable = new List<int>();
        var remapped = new List<int>();
        for (var b = 0; b < 256; b++) (IsPrintable(b) ? printable : remapped).Add(b);
        var symbols = new string[256];
        var i = 0;
        foreach (var b in printable) symbols[i++] = ((char)b).ToString();
        for (var k = 0; k < remapped.Count; k++) symbols[i++] = ((char)(256 + k)).ToString();
        return symbols;
    }

    private static bool IsPrintable(int b) => b is (>= 33 and <= 126) or (>= 161 and <= 172) or (>= 174 and <= 255);
}
