namespace AnomalyClip.Clip.Hub;

/// <summary>The encoding of a weight file.</summary>
public enum WeightFormat
{
    /// <summary>safetensors: a JSON header followed by raw little-endian tensor data.</summary>
    SafeTensors,

    /// <summary>A Hugging Face shard index (<c>model.safetensors.index.json</c>) naming safetensors shards beside it.</summary>
    ShardedSafeTensors,

    /// <summary>A PyTorch file (<c>torch.save</c> zip/pickle state dict, or a TorchScript archive).</summary>
    PyTorch,
}
