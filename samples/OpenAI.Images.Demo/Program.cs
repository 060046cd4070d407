using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;
using OpenAI.Images.FakeApi;

// dotnet run --project samples/OpenAI.Images.Demo [-- --live] [--out DIR] ["prompt" ...]
// Without --live the module talks to a loopback stand-in of the OpenAI API that answers like the real one.
bool live = args.Contains("--live");
int outIndex = Array.IndexOf(args, "--out");
string outDir = Path.GetFullPath(outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : "demo-output");
string[] prompts = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (outIndex < 0 || i != outIndex + 1)).ToArray();
if (prompts.Length == 0)
{
    prompts = new[] { "a lighthouse at dawn, watercolor", "a red fox in fresh snow, photo" };
}

string root = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(root, "OpenAI.Images.slnx")))
{
    root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("repository root not found");
}

string manifest = Path.Combine(root, "out", "OpenAI.Images", "OpenAI.Images.psd1");
FakeOpenAIServer? fake = null;
if (!live)
{
    fake = await FakeOpenAIServer.StartAsync();
    Environment.SetEnvironmentVariable("OPENAI_BASE_URL", fake.BaseUri.ToString());
    Environment.SetEnvironmentVariable("OPENAI_API_KEY", "sk-demo-not-a-real-key");
    Console.WriteLine($"Using a local stand-in of the OpenAI API at {fake.BaseUri} (pass --live to call OpenAI with $OPENAI_API_KEY).");
}
else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENAI_API_KEY")))
{
    Console.Error.WriteLine("--live needs OPENAI_API_KEY in the environment.");
    return 2;
}

try
{
    using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
    ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop").Invoke();
    ps.Commands.Clear();
    Console.WriteLine($"Imported OpenAI.Images {ps.AddScript("(Get-Module OpenAI.Images).Version.ToString()").Invoke()[0]} from {manifest}");
    ps.Commands.Clear();
    Console.WriteLine($"> $prompts | New-OpenAIImage -OutputDirectory '{outDir}' -Verbose");
    ps.AddScript("param($p, $o) $p | New-OpenAIImage -OutputDirectory $o -Verbose").AddArgument(prompts).AddArgument(outDir);
    var results = ps.Invoke();
    foreach (VerboseRecord v in ps.Streams.Verbose)
    {
        Console.WriteLine("VERBOSE: " + v.Message);
    }

    foreach (PSObject r in results)
    {
        dynamic image = r.BaseObject;
        Console.WriteLine($"  [{image.Index}] {image.Model,-12} {image.Size,-10} {image.OutputFormat,-5} tokens={image.Usage?.TotalTokens} {image.File?.FullName}");
    }

    foreach (ErrorRecord e in ps.Streams.Error)
    {
        Console.Error.WriteLine($"ERROR {e.FullyQualifiedErrorId}: {e}");
    }

    Console.WriteLine(ps.HadErrors ? "Finished with errors." : $"Done: {results.Count} image(s) in {outDir}");
    return ps.HadErrors ? 1 : 0;
}
finally
{
    if (fake != null)
    {
        await fake.DisposeAsync();
    }
}
