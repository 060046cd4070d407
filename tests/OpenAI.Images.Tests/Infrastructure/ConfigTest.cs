using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace OpenAI.Images.Tests;

/// <summary>
/// Base for configuration tests: on top of <see cref="EngineTest"/>, the user's config folder is redirected into the
/// test folder (XDG_CONFIG_HOME, HOME, APPDATA), the other OpenAI environment variables are cleared, the
/// SecretManagement test double is reset, and the module's Process-scope settings are cleared before and after.
/// Nothing touches the real user profile.
/// </summary>
public abstract class ConfigTest : EngineTest
{
    /// <summary>The folder of the SecretManagement test double (put first on PSModulePath by <see cref="UseSecretManagementDouble"/>).</summary>
    public static string DoubleModulesFolder => Path.Combine(ModuleHost.RepoRoot, "tests", "SecretManagementDouble");

    private const string DoubleStateKey = "SecretManagementDouble.State";

    private static readonly string[] Variables =
    {
        "XDG_CONFIG_HOME", "HOME", "APPDATA", "PSModulePath", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    };

    private readonly Dictionary<string, string?> _saved = new();

    protected ConfigTest(FakeApiFixture fixture) : base(fixture)
    {
        foreach (string variable in Variables)
        {
            _saved[variable] = Environment.GetEnvironmentVariable(variable);
        }

        Home = Path.Combine(Temp, "home");
        ConfigHome = Path.Combine(Temp, "xdg");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(ConfigHome);
        Environment.SetEnvironmentVariable("HOME", Home);
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", ConfigHome);
        Environment.SetEnvironmentVariable("APPDATA", ConfigHome);
        foreach (string variable in Variables.Skip(4))
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        // No real SecretManagement (or any other user module) unless a test asks for the double.
        EmptyModules = Path.Combine(Temp, "no-modules");
        Directory.CreateDirectory(EmptyModules);
        Environment.SetEnvironmentVariable("PSModulePath", EmptyModules);
        ResetDouble();
        ClearSession();
    }

    /// <summary>The redirected home folder.</summary>
    protected string Home { get; }

    /// <summary>The redirected XDG_CONFIG_HOME (and APPDATA).</summary>
    protected string ConfigHome { get; }

    /// <summary>An empty module folder: PSModulePath with SecretManagement "not installed".</summary>
    protected string EmptyModules { get; }

    /// <summary>Where the module keeps the settings file in these tests.</summary>
    protected string ConfigFile => Path.Combine(ConfigHome, "OpenAI.Images", "config.json");

    /// <summary>Puts the SecretManagement double on PSModulePath (so Import-Module finds it by name).</summary>
    protected void UseSecretManagementDouble() =>
        Environment.SetEnvironmentVariable("PSModulePath", DoubleModulesFolder + Path.PathSeparator + EmptyModules);

    /// <summary>Script that registers a vault in the double (the first one becomes the default).</summary>
    protected static string RegisterVault(string name = "TestVault", bool locked = false, bool isDefault = true) =>
        $"Import-Module Microsoft.PowerShell.SecretManagement -ErrorAction Stop; Register-SecretVault -Name {name} -ModuleName Microsoft.PowerShell.SecretStore"
        + (isDefault ? " -DefaultVault" : string.Empty) + (locked ? " -VaultParameters @{ Locked = $true }" : string.Empty) + "\n";

    /// <summary>What the double logged (e.g. "Get-Secret name=OpenAI.Images-default vault=TestVault").</summary>
    protected static List<string> VaultCalls()
    {
        if (AppDomain.CurrentDomain.GetData(DoubleStateKey) is not Hashtable state || state["Calls"] is not IList calls)
        {
            return new List<string>();
        }

        lock (calls.SyncRoot)
        {
            return calls.Cast<object>().Select(c => c.ToString()!).ToList();
        }
    }

    /// <summary>Locks or unlocks a vault of the double, keeping its secrets (as a SecretStore locks after its timeout).</summary>
    protected static void SetVaultLocked(string vault, bool locked)
    {
        var state = (Hashtable)AppDomain.CurrentDomain.GetData(DoubleStateKey)!;
        var vaults = (IDictionary)state["Vaults"]!;
        var entry = (Hashtable)vaults[vault]!;
        entry["Locked"] = locked;
    }

    /// <summary>Forgets every vault and secret of the double.</summary>
    protected static void ResetDouble() => AppDomain.CurrentDomain.SetData(DoubleStateKey, null);

    /// <summary>
    /// Forgets the module's Process-scope settings, as a new PowerShell process would (the hosted runspaces share one
    /// process). Reached by reflection: the tests never reference the module's assemblies.
    /// </summary>
    protected static void ClearSession()
    {
        Assembly? core = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "OpenAI.Images.Core");
        Type? session = core?.GetType("OpenAI.Images.Config.SessionConfig");
        session?.GetMethod("Clear", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.Invoke(null, null);
    }

    /// <summary>
    /// Runs <paramref name="script"/> inside try/catch and returns the error that stopped it: only a terminating error
    /// (ThrowTerminatingError) is caught, a non-terminating one would go to the error stream and fail this check.
    /// </summary>
    protected ErrorRecord AssertTerminates(string script, string errorId, out ScriptResult result)
    {
        result = Run("try {\n" + script + "\n} catch { $_ }");
        Assert.True(result.AllErrors.Count() == 0, "expected a terminating error, got non-terminating ones: " + result.Describe());
        ErrorRecord error = Assert.Single(result.Objects<System.Management.Automation.ErrorRecord>());
        Assert.True(error.FullyQualifiedErrorId.StartsWith(errorId + ",", StringComparison.Ordinal), error.FullyQualifiedErrorId + ": " + error);
        return error;
    }

    /// <inheritdoc cref="AssertTerminates(string, string, out ScriptResult)"/>
    protected ErrorRecord AssertTerminates(string script, string errorId) => AssertTerminates(script, errorId, out _);

    /// <summary>Every file under the redirected config and home folders, with its text.</summary>
    protected IEnumerable<(string Path, string Text)> UserFiles() =>
        new[] { ConfigHome, Home }
            .SelectMany(d => Directory.GetFiles(d, "*", SearchOption.AllDirectories))
            .Select(f => (f, File.ReadAllText(f)));

    /// <summary>Fails when <paramref name="secret"/> appears in any file under the user folders.</summary>
    protected void AssertNotInUserFiles(string secret)
    {
        foreach ((string path, string text) in UserFiles())
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"The secret was written to {path}");
        }
    }

    public override void Dispose()
    {
        ClearSession();
        ResetDouble();
        foreach (KeyValuePair<string, string?> variable in _saved)
        {
            Environment.SetEnvironmentVariable(variable.Key, variable.Value);
        }

        base.Dispose();
    }
}
