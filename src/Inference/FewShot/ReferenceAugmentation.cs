namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// Extra views of each few-shot reference added to its memory bank, so a part seen flipped or turned on the line still
/// finds a near neighbour. Views are exact pixel permutations (no resampling).
/// </summary>
[Flags]
public enum ReferenceAugmentation
{
    /// <summary>The reference alone.</summary>
    None = 0,

    /// <summary>Plus its horizontal and vertical mirror images.</summary>
    Flips = 1,

    /// <summary>Plus its rotations by 90°, 180° and 270°.</summary>
    Rotations = 2,
}
