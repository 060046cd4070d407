using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>Helpers shared by the reliability engine tests.</summary>
public abstract class ReliabilityTest : EngineTest
{
    protected const string NewImage = "OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand";

    protected ReliabilityTest(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>Runs the script and checks what must hold after any run: no key anywhere, no temporary file left.</summary>
    protected ScriptResult RunChecked(string script)
    {
        ScriptResult r = Run(script);
        AssertNoKeyAndNoTempFiles(r);
        return r;
    }

    protected void AssertNoKeyAndNoTempFiles(ScriptResult r)
    {
        Assert.DoesNotContain(TestKey, r.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(FilesInTemp(), f => Path.GetFileName(f).StartsWith(".openai-images-", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>
    /// The one error of the run: its id, category and target, and the typed OpenAI.Images.OpenAIException behind it
    /// (returned as dynamic: the tests reach module types only at run time).
    /// </summary>
    protected static dynamic AssertApiError(ScriptResult r, string kind, ErrorCategory category, object? target, string command = NewImage)
    {
        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI." + kind + "," + command, error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(target, error.TargetObject is PSObject p ? p.BaseObject : error.TargetObject);
        Assert.Equal("OpenAI.Images.OpenAIException", error.Exception.GetType().FullName);
        dynamic ex = error.Exception;
        Assert.Equal(kind, ((object)ex.Kind).ToString());
        Assert.Equal("OpenAI." + kind, (string)ex.ErrorId);
        Assert.Equal(error.Exception.Message, error.ErrorDetails.Message);
        return ex;
    }

    /// <summary>The retry notices written to the verbose stream.</summary>
    /// <summary>
    /// Requests the module stopped or cancelled were abandoned on the wire too: the fake sees their connections close
    /// (within a guard far above any machine's slowness; the fake would otherwise hold them for minutes).
    /// </summary>
    protected void AssertNothingLeftInFlight()
    {
        var wait = System.Diagnostics.Stopwatch.StartNew();
        while (Fake.InFlight > 0)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(30), $"{Fake.InFlight} request(s) still open at the server");
            System.Threading.Thread.Sleep(10);
        }
    }

    protected static string[] RetryNotices(ScriptResult r) =>
        r.Verbose.Where(v => v.StartsWith("Attempt ", StringComparison.Ordinal)).ToArray();
}
