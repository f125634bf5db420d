using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// A run's settings (name/value pairs in logging order) as one JSON object whose properties keep that order, so
/// results written from a shard manifest list them exactly as the run did.
/// </summary>
internal sealed class OrderedSettingsJsonConverter : JsonConverter<IReadOnlyList<KeyValuePair<string, string>>>
{
    public override IReadOnlyList<KeyValuePair<string, string>> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("settings must be a JSON object");
        var settings = new List<KeyValuePair<string, string>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String) throw new JsonException($"setting '{name}' must be a string");
            settings.Add(new(name, reader.GetString()!));
        }
        return settings;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, string>> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, setting) in value) writer.WriteString(name, setting);
        writer.WriteEndObject();
    }
}
