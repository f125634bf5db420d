namespace AnomalyClip.Adapter.Prompts;

/// <summary>
/// A prompt ensemble: state phrases for normal and abnormal objects (<c>{}</c> = object name) crossed with
/// sentence templates (<c>{}</c> = state phrase). <see cref="Paper"/> is APRIL-GAN's 7 + 5 states × 35 templates.
/// </summary>
/// <param name="NormalStates">Phrases for a normal object.</param>
/// <param name="AbnormalStates">Phrases for an anomalous object.</param>
/// <param name="Templates">Sentence templates.</param>
public sealed record PromptSet(IReadOnlyList<string> NormalStates, IReadOnlyList<string> AbnormalStates, IReadOnlyList<string> Templates)
{
    /// <summary>APRIL-GAN's prompt ensemble (prompt_ensemble.py), in the reference order.</summary>
    public static PromptSet Paper { get; } = new(
        ["{}", "flawless {}", "perfect {}", "unblemished {}", "{} without flaw", "{} without defect", "{} without damage"],
        ["damaged {}", "broken {}", "{} with flaw", "{} with defect", "{} with damage"],
        [
            "a bad photo of a {}.", "a low resolution photo of the {}.", "a bad photo of the {}.", "a cropped photo of the {}.",
            "a bright photo of a {}.", "a dark photo of the {}.", "a photo of my {}.", "a photo of the cool {}.",
            "a close-up photo of a {}.", "a black and white photo of the {}.", "a bright photo of the {}.",
            "a cropped photo of a {}.", "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.", "a photo of the {}.",
            "a good photo of the {}.", "a photo of one {}.", "a close-up photo of the {}.", "a photo of a {}.",
            "a low resolution photo of a {}.", "a photo of a large {}.", "a blurry photo of a {}.",
            "a jpeg corrupted photo of the {}.", "a good photo of a {}.", "a photo of the small {}.",
            "a photo of the large {}.", "a black and white photo of a {}.", "a dark photo of a {}.",
            "a photo of a cool {}.", "a photo of a small {}.", "there is a {} in the scene.",
            "there is the {} in the scene.", "this is a {} in the scene.", "this is the {} in the scene.",
            "this is one {} in the scene.",
        ]);

    /// <summary>The sentences for one state (false = normal, true = abnormal): for each state, for each template.</summary>
    public IReadOnlyList<string> Sentences(string objectName, bool abnormal)
    {
        var states = abnormal ? AbnormalStates : NormalStates;
        var result = new List<string>(states.Count * Templates.Count);
        foreach (var state in states)
        {
            var phrase = state.Replace("{}", objectName, StringComparison.Ordinal);
            foreach (var template in Templates) result.Add(template.Replace("{}", phrase, StringComparison.Ordinal));
        }
        return result;
    }

    /// <summary>Reads a user prompt set from JSON: <c>{"normal": [...], "abnormal": [...], "templates": [...]}</c>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or a list is empty.</exception>
    public static PromptSet FromJsonFile(string path)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            string[] Read(string key) => doc.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetString()!).ToArray();
            var set = new PromptSet(Read("normal"), Read("abnormal"), Read("templates"));
            if (set.NormalStates.Count == 0 || set.AbnormalStates.Count == 0 || set.Templates.Count == 0)
                throw new InvalidDataException($"{path}: normal, abnormal and templates must each have at least one entry");
            return set;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a prompt set ({{\"normal\": [...], \"abnormal\": [...], \"templates\": [...]}}): {ex.Message}", ex);
        }
    }
}
