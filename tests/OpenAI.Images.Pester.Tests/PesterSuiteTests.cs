using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace OpenAI.Images.Pester.Tests;

/// <summary>
/// Every Pester test of tests/*.Tests.ps1 as one test here, run on the repository's real pwsh. A test passes when it
/// passed both with every suite in one Invoke-Pester run and with its file run alone (suites must not depend on
/// each other's state, in either direction). A test that Pester skipped in both runs is skipped here, with its reason.
/// </summary>
public sealed class PesterSuiteTests
{
    private static readonly IReadOnlyList<PesterRecord> Discovered = PesterRunner.Discover();

    /// <summary>The discovered tests, named after the Pester test.</summary>
    public static IEnumerable<TheoryDataRow<string, string>> Tests()
    {
        PesterRunner.StartAll(Discovered.Select(r => r.File).Distinct());
        return Discovered.Select(r => new TheoryDataRow<string, string>(r.File, r.Key) { TestDisplayName = "Pester: " + r.Key });
    }

    /// <summary>The Pester test passed in the run of every suite together and in its file's run alone.</summary>
    [Theory]
    [MemberData(nameof(Tests))]
    public async Task Passes(string file, string key)
    {
        Dictionary<string, PesterRecord> together = await PesterRunner.AllTogether();
        Dictionary<string, PesterRecord> alone = await PesterRunner.FileAlone(file);

        Assert.True(together.TryGetValue(key, out PesterRecord? inRun), $"'{key}' was not run with every suite together (discovery and run disagree).");
        Assert.True(alone.TryGetValue(key, out PesterRecord? byItself), $"'{key}' was not run with its file alone.");
        if (inRun!.Result == "Skipped" && byItself!.Result == "Skipped")
        {
            // A suite that skips says why (e.g. the real-vault suite without its modules; under CI=true it fails instead).
            Assert.Skip(inRun.Error ?? "skipped by Pester");
        }

        Assert.True(inRun.Result == "Passed", $"With every suite in one run, {inRun.Name}: {inRun.Result}\n{inRun.Error}");
        Assert.True(byItself!.Result == "Passed", $"With {file} alone, {byItself.Name}: {byItself.Result}\n{byItself.Error}");
    }

    /// <summary>A failure outside any test (a file that cannot be discovered or set up) fails the run.</summary>
    [Fact]
    public async Task NoSuiteFailsOutsideItsTests()
    {
        Dictionary<string, PesterRecord> together = await PesterRunner.AllTogether();

        string[] extra = together.Values.Where(r => Discovered.All(d => d.Key != r.Key)).Select(r => $"{r.Name}: {r.Result}\n{r.Error}").ToArray();
        Assert.True(extra.Length == 0, string.Join("\n", extra));
        Assert.NotEmpty(Discovered);
    }
}
