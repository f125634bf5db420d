using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnomalyClip.Training.Evaluation;

/// <summary>A <see cref="Shard"/> in JSON as its <c>i/n</c> text, the form the command line takes.</summary>
internal sealed class ShardJsonConverter : JsonConverter<Shard>
{
    public override Shard Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return Shard.Parse(reader.GetString() ?? "");
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Shard value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
