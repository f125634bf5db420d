namespace AnomalyClip.Clip.Weights;

/// <summary>The container format of a weight file, as detected from its content.</summary>
public enum WeightFormat
{
    /// <summary>A single <c>.safetensors</c> file.</summary>
    SafeTensors,

    /// <summary>A Hugging Face shard index (<c>model.safetensors.index.json</c>) naming safetensors shards beside it.</summary>
    ShardedSafeTensors,

    /// <summary>A zip-format <c>torch.save</c> pickle (<c>.bin</c>, <c>.pth</c>, <c>.pt</c>).</summary>
    PyTorchCheckpoint,

    /// <summary>A TorchScript archive (<c>torch.jit.save</c>), such as OpenAI's original CLIP <c>.pt</c> files.</summary>
    TorchScript,
}
