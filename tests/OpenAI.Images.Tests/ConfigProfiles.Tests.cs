using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

/// <summary>Profiles, scopes, the settings file and the precedence of the non-secret settings.</summary>
public sealed class ConfigProfilesTests : ConfigTest
{
    public ConfigProfilesTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    private string Base(string prefix) => new Uri(Fake.Root, prefix + "/v1").AbsoluteUri;

    [Fact]
    public void BaseUriComesFromParameterThenSessionThenSavedProfileThenEnvironment()
    {
        // $env:OPENAI_BASE_URL points at the fake's /v1 (EngineTest).
        ScriptResult env = Run("New-OpenAIImage 'a'");
        Assert.True(!env.AllErrors.Any(), env.Describe());
        Assert.Equal("/v1/images/generations", Fake.ApiRequests.Last().Path);

        ScriptResult saved = Run($"Set-OpenAIConfig -BaseUri '{Base("/saved")}'\nNew-OpenAIImage 'a'; (Get-OpenAIConfig).Sources['BaseUri']");
        Assert.True(!saved.AllErrors.Any(), saved.Describe());
        Assert.Equal("/saved/v1/images/generations", Fake.ApiRequests.Last().Path);
        Assert.Equal("ConfigFile", saved.Output.Last().ToString());

        ScriptResult session = Run($"Set-OpenAIConfig -BaseUri '{Base("/session")}' -Scope Process\nNew-OpenAIImage 'a'; (Get-OpenAIConfig).Sources['BaseUri']");
        Assert.True(!session.AllErrors.Any(), session.Describe());
        Assert.Equal("/session/v1/images/generations", Fake.ApiRequests.Last().Path);
        Assert.Equal("Session", session.Output.Last().ToString());

        ScriptResult param = Run($"New-OpenAIImage 'a' -BaseUri '{Base("/param")}'");
        Assert.True(!param.AllErrors.Any(), param.Describe());
        Assert.Equal("/param/v1/images/generations", Fake.ApiRequests.Last().Path);
    }

    [Fact]
    public void OrganizationAndProjectComeFromTheEnvironmentUnlessTheProfileSetsThem()
    {
        Environment.SetEnvironmentVariable("OPENAI_ORG_ID", "org-from-env");
        Environment.SetEnvironmentVariable("OPENAI_PROJECT_ID", "proj_from_env");
        ScriptResult env = Run("New-OpenAIImage 'a'");
        Assert.True(!env.AllErrors.Any(), env.Describe());
        Assert.Equal("org-from-env", Fake.ApiRequests.Last().Header("OpenAI-Organization"));
        Assert.Equal("proj_from_env", Fake.ApiRequests.Last().Header("OpenAI-Project"));

        ScriptResult saved = Run("Set-OpenAIConfig -Organization org-saved\nNew-OpenAIImage 'a'; $c = Get-OpenAIConfig; $c.Sources['Organization']; $c.Sources['Project']");
        Assert.True(!saved.AllErrors.Any(), saved.Describe());
        Assert.Equal("org-saved", Fake.ApiRequests.Last().Header("OpenAI-Organization"));
        Assert.Equal("proj_from_env", Fake.ApiRequests.Last().Header("OpenAI-Project"));
        Assert.Equal(new[] { "ConfigFile", "Environment" }, saved.Output.Skip(1).Select(o => o.ToString()));

        // $null clears a saved setting: the environment applies again.
        ScriptResult cleared = Run("Set-OpenAIConfig -Organization $null\nNew-OpenAIImage 'a'");
        Assert.True(!cleared.AllErrors.Any(), cleared.Describe());
        Assert.Equal("org-from-env", Fake.ApiRequests.Last().Header("OpenAI-Organization"));
        Assert.DoesNotContain("organization", File.ReadAllText(ConfigFile));

        Environment.SetEnvironmentVariable("OPENAI_ORG_ID", null);
        Environment.SetEnvironmentVariable("OPENAI_PROJECT_ID", null);
        ScriptResult none = Run("New-OpenAIImage 'a'");
        Assert.True(!none.AllErrors.Any(), none.Describe());
        Assert.False(Fake.ApiRequests.Last().HasHeader("OpenAI-Organization"));
        Assert.False(Fake.ApiRequests.Last().HasHeader("OpenAI-Project"));
    }

    [Fact]
    public void RetriesTimeoutAndDefaultModelComeFromTheProfileAndTheCallOverridesThem()
    {
        ScriptResult set = Run("Set-OpenAIConfig -MaxRetries 0 -TimeoutSec 30 -DefaultModel gpt-image-1-mini -PassThru");
        Assert.True(!set.AllErrors.Any(), set.Describe());
        dynamic info = Assert.Single(set.Objects("OpenAIConfigInfo"));
        Assert.Equal(0, (int)info.MaxRetries);
        Assert.Equal(30, (int)info.TimeoutSec);
        Assert.Equal("gpt-image-1-mini", (string)info.DefaultModel);

        Fake.Enqueue(FakeResponse.Error(500, "boom"), count: 5);
        ScriptResult failed = Run("New-OpenAIImage 'a'");
        Assert.Single(failed.AllErrors);
        Assert.Single(Fake.ApiRequests);
        Assert.Equal("gpt-image-1-mini", (string?)Fake.ApiRequests.Single().Json!["model"]);

        Fake.ClearRequests();
        ScriptResult retried = Run("New-OpenAIImage 'a' -MaxRetries 1");
        Assert.Single(retried.AllErrors);
        Assert.Equal(2, Fake.ApiRequests.Count);

        Fake.ClearQueue();
        Fake.ClearRequests();
        ScriptResult explicitModel = Run("New-OpenAIImage 'a' -Model gpt-image-1");
        Assert.True(!explicitModel.AllErrors.Any(), explicitModel.Describe());
        Assert.Equal("gpt-image-1", (string?)Fake.ApiRequests.Single().Json!["model"]);
    }

    [Fact]
    public void NamedProfilesAreIndependentAndUnknownOnesAreAnError()
    {
        ScriptResult set = Run($"Set-OpenAIConfig -Profile work -BaseUri '{Base("/work")}' -ApiKey 'sk-work-0123456789WORKxKEY' -Scope Process\n"
            + $"Set-OpenAIConfig -Profile lab -BaseUri '{Base("/lab")}'");
        Assert.True(!set.AllErrors.Any(), set.Describe());

        ScriptResult r = Run("New-OpenAIImage 'a' -Profile work; New-OpenAIImage 'b' -Profile lab; New-OpenAIImage 'c'; Get-OpenAIConfig -ListAvailable");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(new[] { "/work/v1/images/generations", "/lab/v1/images/generations", "/v1/images/generations" }, Fake.ApiRequests.Select(q => q.Path));
        Assert.Equal(new[] { "Bearer sk-work-0123456789WORKxKEY", "Bearer " + TestKey, "Bearer " + TestKey }, Fake.ApiRequests.Select(q => q.Header("Authorization")));
        var listed = r.Objects("OpenAIConfigInfo");
        Assert.Equal(new[] { "lab", "work" }, listed.Select(i => (string)i.Profile));
        Assert.Equal(new[] { "CurrentUser" }, (string[])listed[0].Scope);
        Assert.Equal(new[] { "Process" }, (string[])listed[1].Scope);

        int before = Fake.ApiRequests.Count;
        ScriptResult unknown = Run("New-OpenAIImage 'a' -Profile wrok");
        ErrorRecord error = Assert.Single(unknown.AllErrors);
        Assert.StartsWith("OpenAI.ProfileNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("lab", error.Exception.Message);
        Assert.Contains("work", error.Exception.Message);
        Assert.Equal(before, Fake.ApiRequests.Count);

        ScriptResult invalid = Run("Set-OpenAIConfig -Profile 'bad name!' -MaxRetries 1");
        Assert.StartsWith("OpenAI.Validation.ProfileName,", Assert.Single(invalid.AllErrors).FullyQualifiedErrorId);

        ScriptResult completion = Run("(TabExpansion2 -inputScript 'New-OpenAIImage -Profile ' -cursorColumn 25).CompletionMatches.CompletionText");
        Assert.Equal(new[] { "default", "lab", "work" }, completion.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void CurrentUserSettingsLastAcrossSessionsAndProcessSettingsDoNot()
    {
        ScriptResult set = Run($"Set-OpenAIConfig -BaseUri '{Base("/saved")}' -TimeoutSec 120\nSet-OpenAIConfig -MaxRetries 5 -DefaultModel dall-e-3 -Scope Process");
        Assert.True(!set.AllErrors.Any(), set.Describe());
        string text = File.ReadAllText(ConfigFile);
        Assert.Contains("\"timeoutSec\": 120", text);
        Assert.DoesNotContain("maxRetries", text);
        Assert.DoesNotContain("dall-e-3", text);

        ScriptResult same = Run("$c = Get-OpenAIConfig; $c.MaxRetries; $c.DefaultModel; $c.TimeoutSec");
        Assert.Equal(new[] { "5", "dall-e-3", "120" }, same.Output.Select(o => o.ToString()));

        ClearSession(); // a new process
        ScriptResult next = Run("$c = Get-OpenAIConfig; $c.MaxRetries; $c.DefaultModel; $c.TimeoutSec; $c.Sources['MaxRetries']; $c.Scope");
        Assert.Equal(new[] { "2", "gpt-image-2", "120", "Default", "CurrentUser" }, next.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void TheSettingsFileIsIndentedJsonWrittenAtomically()
    {
        ScriptResult r = Run($"Set-OpenAIConfig -BaseUri '{Base("/a")}' -Organization org-1 -AllowInsecureHttp\nSet-OpenAIConfig -Profile second -ApiType AzureOpenAI");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        string folder = Path.GetDirectoryName(ConfigFile)!;
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        string text = File.ReadAllText(ConfigFile);
        Assert.Equal(
            "{\n  \"version\": 1,\n  \"profiles\": {\n    \"default\": {\n      \"baseUri\": \"" + Base("/a") + "\",\n      \"organization\": \"org-1\",\n"
            + "      \"allowInsecureHttp\": true\n    },\n    \"second\": {\n      \"apiType\": \"AzureOpenAI\"\n    }\n  }\n}\n",
            text);

        // A temporary file left by a writer that crashed before its rename is ignored; the file stays readable.
        File.WriteAllText(Path.Combine(folder, ".config.json.0123.tmp"), "{ \"profiles\": { \"default\": { \"baseUri\": \"http://torn");
        ScriptResult read = Run("(Get-OpenAIConfig).Organization");
        Assert.True(!read.AllErrors.Any(), read.Describe());
        Assert.Equal("org-1", read.Output.Single().ToString());
    }

    [Theory]
    [InlineData("{ \"profiles\": { \"default\": { \"baseUri\": ", "not valid JSON")]
    [InlineData("{ \"profiles\": { \"default\": { \"timeoutSec\": \"soon\" } } }", "\"timeoutSec\"")]
    [InlineData("[1, 2]", "not a JSON object")]
    public void ACorruptSettingsFileIsAClearErrorNotACrashAndIsNeverOverwritten(string content, string detail)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigFile)!);
        File.WriteAllText(ConfigFile, content);

        foreach (string command in new[] { "New-OpenAIImage 'a'", "Set-OpenAIConfig -MaxRetries 1", "Get-OpenAIConfig", "Remove-OpenAIConfig", "Get-OpenAIConfig -ListAvailable" })
        {
            ScriptResult r = Run(command);
            ErrorRecord error = Assert.Single(r.AllErrors);
            Assert.True(error.FullyQualifiedErrorId.StartsWith("OpenAI.ConfigCorrupt,", StringComparison.Ordinal), command + ": " + r.Describe());
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Equal(ConfigFile, error.TargetObject);
            Assert.Contains(ConfigFile, error.Exception.Message);
            Assert.Contains(detail, error.Exception.Message);
            Assert.Contains("Remove-Item", error.Exception.Message);
            Assert.Equal(content, File.ReadAllText(ConfigFile));
        }

        Assert.Empty(Fake.ApiRequests);

        // The error says how to fix it, and the fix works.
        File.Delete(ConfigFile);
        ScriptResult fixedUp = Run("Set-OpenAIConfig -MaxRetries 1; New-OpenAIImage 'a'");
        Assert.True(!fixedUp.AllErrors.Any(), fixedUp.Describe());
    }

    [Fact]
    public void WhatIfChangesNothingAndPassThruShowsTheResult()
    {
        UseSecretManagementDouble();
        ScriptResult whatIf = Run(RegisterVault() + "Set-OpenAIConfig -ApiKey 'sk-whatif-0123456789WHATIFKEY' -BaseUri https://example.test/v1 -WhatIf\nSet-OpenAIConfig -Scope Process -MaxRetries 9 -WhatIf");
        Assert.True(!whatIf.AllErrors.Any(), whatIf.Describe());
        Assert.False(File.Exists(ConfigFile));
        Assert.DoesNotContain(VaultCalls(), c => c.StartsWith("Set-Secret", StringComparison.Ordinal));
        Assert.Equal("2", Run("(Get-OpenAIConfig).MaxRetries").Output.Single().ToString());

        ScriptResult removeWhatIf = Run("Set-OpenAIConfig -MaxRetries 3\nRemove-OpenAIConfig -WhatIf\n(Get-OpenAIConfig).MaxRetries");
        Assert.True(!removeWhatIf.AllErrors.Any(), removeWhatIf.Describe());
        Assert.Equal("3", removeWhatIf.Output.Last().ToString());
        Assert.Contains("maxRetries", File.ReadAllText(ConfigFile));
    }

    [Fact]
    public void RemoveDeletesSavedAndSessionSettingsAndTheVaultSecretUnlessKept()
    {
        UseSecretManagementDouble();
        ScriptResult setup = Run(RegisterVault()
            + "Set-OpenAIConfig -Profile p1 -ApiKey 'sk-p1-0123456789P1xxxxKEY' -MaxRetries 4\n"
            + "Set-OpenAIConfig -Profile p1 -Scope Process -TimeoutSec 9\n"
            + "Set-OpenAIConfig -Profile p2 -ApiKey 'sk-p2-0123456789P2xxxxKEY' -SecretName shared-openai-key");
        Assert.True(!setup.AllErrors.Any(), setup.Describe());

        ScriptResult removed = Run("Remove-OpenAIConfig -Profile p1 -Verbose\nGet-SecretInfo -Name OpenAI.Images-* -Vault TestVault\nGet-OpenAIConfig -Profile p1");
        ErrorRecord notFound = Assert.Single(removed.AllErrors);
        Assert.StartsWith("OpenAI.ProfileNotFound,", notFound.FullyQualifiedErrorId);
        Assert.Empty(removed.Output);
        Assert.DoesNotContain("p1", File.ReadAllText(ConfigFile));
        Assert.Contains(VaultCalls(), c => c == "Remove-Secret name=OpenAI.Images-p1 vault=TestVault");

        ScriptResult kept = Run("Get-OpenAIConfig -ListAvailable | Remove-OpenAIConfig -KeepSecret\nGet-Secret -Name shared-openai-key -Vault TestVault -AsPlainText");
        Assert.True(!kept.AllErrors.Any(), kept.Describe());
        Assert.Equal("sk-p2-0123456789P2xxxxKEY", kept.Output.Single().ToString());
        Assert.DoesNotContain("p2", File.ReadAllText(ConfigFile));

        ScriptResult missing = Run("Remove-OpenAIConfig -Profile nothing-here");
        Assert.StartsWith("OpenAI.ProfileNotFound,", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);
    }

    [Fact]
    public void BadSettingsAreRejectedBeforeAnythingIsWritten()
    {
        foreach ((string command, string id) in new[]
        {
            ("Set-OpenAIConfig -BaseUri 'not/absolute'", "OpenAI.Validation.UriNotAbsolute"),
            ("Set-OpenAIConfig -BaseUri 'ftp://example.test/v1'", "OpenAI.Validation.UriNotAbsolute"),
            ("Set-OpenAIConfig -Proxy 'http://user:secret-pw@proxy.test:8080'", "OpenAI.Validation.UriHasCredentials"),
            ("Set-OpenAIConfig -TimeoutSec 0", "OpenAI.Validation.TimeoutSecOutOfRange"),
            ("Set-OpenAIConfig -MaxRetries 21", "OpenAI.Validation.MaxRetriesOutOfRange"),
            ("Set-OpenAIConfig -ApiKey ''", "OpenAI.Validation.ApiKeyEmpty"),
            ("Set-OpenAIConfig -ApiKey 'sk-x-0123456789abcdefghij' -Vault V -Scope Process", "OpenAI.Validation.VaultNeedsCurrentUser"),
            ("New-OpenAIImage 'a' -BaseUri 'relative/path'", "OpenAI.Validation.UriNotAbsolute"),
        })
        {
            ScriptResult r = Run(command);
            ErrorRecord error = Assert.Single(r.AllErrors);
            Assert.True(error.FullyQualifiedErrorId.StartsWith(id + ",", StringComparison.Ordinal), command + ": " + r.Describe());
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.DoesNotContain("secret-pw", r.AllText());
        }

        Assert.False(File.Exists(ConfigFile));
        Assert.Empty(Fake.ApiRequests);
    }
}
