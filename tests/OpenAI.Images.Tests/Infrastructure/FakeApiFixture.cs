using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

/// <summary>One loopback fake of the OpenAI API per test class; reset before each test by <see cref="EngineTest"/>.</summary>
public sealed class FakeApiFixture : IAsyncLifetime
{
    public FakeOpenAIServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await FakeOpenAIServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Base for engine tests: a fresh fake state, a temp folder, and OPENAI_API_KEY / OPENAI_BASE_URL pointing at the fake
/// (restored afterwards; engine tests do not run in parallel).
/// </summary>
public abstract class EngineTest : IClassFixture<FakeApiFixture>, IDisposable
{
    public const string TestKey = "sk-test-0123456789abcdefSECRETwxyz";

    private readonly string? _oldKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
    private readonly string? _oldBase = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
    private readonly string? _oldConfigHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
    private readonly string? _oldAppData = Environment.GetEnvironmentVariable("APPDATA");

    protected EngineTest(FakeApiFixture fixture)
    {
        Fake = fixture.Server;
        Fake.Reset();
        Temp = Directory.CreateTempSubdirectory("openai-images-test-").FullName;
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", TestKey);
        Environment.SetEnvironmentVariable("OPENAI_BASE_URL", Fake.BaseUri.ToString());

        // The module reads saved settings from the user's config folder, and a saved profile takes precedence over
        // OPENAI_BASE_URL: point it at an empty folder so no developer's real settings (or vault) leak into a test.
        string config = Path.Combine(Temp, ".config");
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", config);
        Environment.SetEnvironmentVariable("APPDATA", config);
    }

    protected FakeOpenAIServer Fake { get; }

    /// <summary>A fresh empty folder for this test.</summary>
    protected string Temp { get; }

    /// <summary>Runs script with $Temp set to the test folder and the location set there.</summary>
    protected ScriptResult Run(string script) => Run(null, script);

    /// <summary>Runs script as <see cref="Run(string)"/> does, in a runspace of <paramref name="host"/> (null: no UI).</summary>
    protected ScriptResult Run(System.Management.Automation.Host.PSHost? host, string script) => ModuleHost.Run(host, InTemp(script), TempVariable);

    /// <summary>Starts script like <see cref="Run(string)"/> and returns while it runs, for a test that drives the fake meanwhile.</summary>
    protected RunningScript Start(string script) => new(InTemp(script), TempVariable, () =>
        $"The fake: {Fake.Held} held, {Fake.InFlight} in flight; requests: {string.Join(", ", Fake.Requests.Select(q => $"{q.Sequence} {q.Method} {q.Path} {q.Json?["prompt"]}"))}.");

    private string InTemp(string script) => $"$null = $ExecutionContext.SessionState.Path.SetLocation({ModuleHost.Quote(Temp)})\n" + script;

    private System.Collections.Generic.Dictionary<string, object?> TempVariable => new() { ["Temp"] = Temp };

    /// <summary>Copies a test asset into the test folder (optionally under another name) and returns its path.</summary>
    protected string CopyAsset(string asset, string? name = null)
    {
        string target = Path.Combine(Temp, name ?? asset);
        File.Copy(ModuleHost.Asset(asset), target, overwrite: true);
        return target;
    }

    /// <summary>Files in the test folder, including hidden temporary ones.</summary>
    protected string[] FilesInTemp() => Directory.GetFiles(Temp, "*", SearchOption.AllDirectories);

    public virtual void Dispose()
    {
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", _oldKey);
        Environment.SetEnvironmentVariable("OPENAI_BASE_URL", _oldBase);
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", _oldConfigHome);
        Environment.SetEnvironmentVariable("APPDATA", _oldAppData);
        try
        {
            Directory.Delete(Temp, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
