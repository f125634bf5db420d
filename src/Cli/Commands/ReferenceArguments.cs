using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.IO;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>The few-shot reference options of <c>predict</c> and <c>calibrate</c>: a folder or list of normal images, or a saved bank.</summary>
internal sealed class ReferenceArguments(bool withBankFiles)
{
    public readonly Option<string?> Reference = new("--reference") { Description = "Few-shot: folder of normal reference images, or a list file (one path per line, APRIL-GAN k_shot.txt)." };
    public readonly Option<int> K = new Option<int>("--k") { Description = "Few-shot: references picked from a --reference folder (seeded; see README \"Reference sampling\").", DefaultValueFactory = _ => 4 }.Between(1, 10000);
    public readonly Option<int> Seed = new("--seed") { Description = "Few-shot: seed of the reference pick.", DefaultValueFactory = _ => 42 };
    public readonly Option<string?> Bank = new("--bank") { Description = "Few-shot: a saved memory bank instead of --reference." };
    public readonly Option<string?> SaveBank = new("--save-bank") { Description = "Few-shot: save the memory bank built from --reference." };

    public void AddTo(Command command)
    {
        command.Options.Add(Reference);
        command.Options.Add(K);
        command.Options.Add(Seed);
        if (!withBankFiles) return;
        command.Options.Add(Bank);
        command.Options.Add(SaveBank);
    }

    /// <summary>Whether the command runs few-shot.</summary>
    public bool FewShot(ParseResult r) => r.GetValue(Reference) is not null || BankFile(r) is not null;

    private string? BankFile(ParseResult r) => withBankFiles ? r.GetValue(Bank) : null;

    private string? SaveBankFile(ParseResult r) => withBankFiles ? r.GetValue(SaveBank) : null;

    /// <summary>Checks the combination before anything is loaded; returns the chosen reference files (null with a bank or zero-shot).</summary>
    public IReadOnlyList<string>? Validate(ParseResult r)
    {
        bool Given(Option o) => r.GetResult(o) is { Implicit: false };
        if (r.GetValue(Reference) is not null && BankFile(r) is not null) throw new ArgumentException("give --reference or --bank, not both");
        if (r.GetValue(Reference) is null && (Given(K) || Given(Seed))) throw new ArgumentException("--k and --seed go with --reference");
        if (SaveBankFile(r) is not null && r.GetValue(Reference) is null) throw new ArgumentException("--save-bank goes with --reference");
        return r.GetValue(Reference) is string refs ? ReferenceImages.Select(refs, r.GetValue(K), r.GetValue(Seed)) : null;
    }

    /// <summary>Gives the few-shot detector its bank for <paramref name="className"/>: loaded from --bank or built from <paramref name="chosen"/>.</summary>
    public void AddBank(ParseResult r, MemoryBankDetector detector, IReadOnlyList<string>? chosen, string? className)
    {
        if (BankFile(r) is string bankPath)
        {
            if (!File.Exists(bankPath)) throw new FileNotFoundException($"--bank: {bankPath} does not exist", bankPath);
            detector.AddBank(MemoryBank.Load(bankPath, detector.Device));
            return;
        }
        var bank = detector.BuildBank(chosen!, className);
        detector.AddBank(bank);
        if (SaveBankFile(r) is string save) bank.Save(save);
    }

    /// <summary>The k_shot.txt text of the chosen references.</summary>
    public static void WriteKShot(string outDir, IReadOnlyList<string> chosen) =>
        AtomicFile.WriteAllText(Path.Combine(outDir, FewShotReferences.FileName), string.Join('\n', chosen) + "\n");
}
