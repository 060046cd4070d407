using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Security;
using OpenAI.Images.Config;

namespace OpenAI.Images.Core.Tests.Config;

public sealed class ConfigResolverTests
{
    private sealed class FakeSecrets : ISecretReader
    {
        public Dictionary<string, string> Keys { get; } = new();

        public Dictionary<string, NetworkCredential> Credentials { get; } = new();

        public List<string> Reads { get; } = new();

        public Exception? Failure { get; set; }

        public ApiKey? ReadApiKey(string? vault, string secretName)
        {
            Reads.Add(vault + "/" + secretName);
            if (Failure != null)
            {
                throw Failure;
            }

            return Keys.TryGetValue(vault + "/" + secretName, out string? key) ? new ApiKey(key) : null;
        }

        public NetworkCredential? ReadCredential(string? vault, string secretName)
        {
            Reads.Add("cred:" + vault + "/" + secretName);
            return Credentials.TryGetValue(vault + "/" + secretName, out NetworkCredential? c) ? c : null;
        }
    }

    private readonly Dictionary<string, string?> _env = new();
    private readonly FakeSecrets _secrets = new();
    private readonly List<string> _warnings = new();

    private ResolvedConfig Resolve(ConfigRequest? request = null, SessionProfile? session = null, ProfileSettings? saved = null, string profile = "default") =>
        ConfigResolver.Resolve(profile, request ?? new ConfigRequest(), session, saved, n => _env.TryGetValue(n, out string? v) ? v : null, _secrets, _warnings.Add);

    private static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (char c in text)
        {
            s.AppendChar(c);
        }

        s.MakeReadOnly();
        return s;
    }

    [Fact]
    public void NothingConfiguredMeansOpenAIsDefaultsAndNoKey()
    {
        ResolvedConfig r = Resolve();
        Assert.Equal(OpenAIClientOptions.DefaultBaseUri, r.BaseUri.Value);
        Assert.Equal(OpenAIConfigSource.Default, r.BaseUri.Source);
        Assert.Equal(OpenAIApiType.OpenAI, r.ApiType.Value);
        Assert.Equal(600, r.TimeoutSec.Value);
        Assert.Equal(2, r.MaxRetries.Value);
        Assert.Equal("gpt-image-2", r.DefaultModel.Value);
        Assert.False(r.AllowInsecureHttp.Value);
        Assert.Null(r.ApiKey);
        var error = Assert.Throws<OpenAIException>(() => r.ToClientOptions());
        Assert.Equal(OpenAIErrorKind.MissingApiKey, error.Kind);
        Assert.Contains("OPENAI_API_KEY", error.Message);
        Assert.Empty(_secrets.Reads);
    }

    [Fact]
    public void EachSettingTakesTheFirstSourceThatHasIt()
    {
        _env["OPENAI_BASE_URL"] = "https://env.test/v1";
        _env["OPENAI_ORG_ID"] = "org-env";
        _env["OPENAI_PROJECT_ID"] = "proj-env";
        _env["OPENAI_API_KEY"] = "sk-env-0123456789abcdefENVK";
        var saved = new ProfileSettings { BaseUri = new Uri("https://saved.test/v1"), Organization = "org-saved", TimeoutSec = 50, MaxRetries = 5, DefaultModel = "dall-e-3", ApiKeyVault = "V", ApiKeySecret = "S" };
        var session = new SessionProfile { Settings = new ProfileSettings { BaseUri = new Uri("https://session.test/v1"), TimeoutSec = 40 } };
        _secrets.Keys["V/S"] = "sk-vault-0123456789abcdefVLTK";

        ResolvedConfig all = Resolve(new ConfigRequest { BaseUri = new Uri("https://param.test/v1"), TimeoutSec = 30 }, session, saved);
        Assert.Equal(("https://param.test/v1", OpenAIConfigSource.Parameter), (all.BaseUri.Value!.AbsoluteUri, all.BaseUri.Source));
        Assert.Equal((30, OpenAIConfigSource.Parameter), (all.TimeoutSec.Value, all.TimeoutSec.Source));
        Assert.Equal((5, OpenAIConfigSource.ConfigFile), (all.MaxRetries.Value, all.MaxRetries.Source));
        Assert.Equal(("org-saved", OpenAIConfigSource.ConfigFile), (all.Organization.Value, all.Organization.Source));
        Assert.Equal(("proj-env", OpenAIConfigSource.Environment, "$env:OPENAI_PROJECT_ID"), (all.Project.Value, all.Project.Source, all.Project.Origin));
        Assert.Equal(("dall-e-3", OpenAIConfigSource.ConfigFile), (all.DefaultModel.Value, all.DefaultModel.Source));
        Assert.Equal((OpenAIConfigSource.Vault, "vault 'V', secret 'S'"), (all.ApiKeySource, all.ApiKeyOrigin));

        ResolvedConfig noParam = Resolve(null, session, saved);
        Assert.Equal(("https://session.test/v1", OpenAIConfigSource.Session), (noParam.BaseUri.Value!.AbsoluteUri, noParam.BaseUri.Source));
        Assert.Equal((40, OpenAIConfigSource.Session), (noParam.TimeoutSec.Value, noParam.TimeoutSec.Source));

        ResolvedConfig savedOnly = Resolve(null, null, saved);
        Assert.Equal(OpenAIConfigSource.ConfigFile, savedOnly.BaseUri.Source);

        ResolvedConfig envOnly = Resolve();
        Assert.Equal(("https://env.test/v1", OpenAIConfigSource.Environment, "$env:OPENAI_BASE_URL"), (envOnly.BaseUri.Value!.AbsoluteUri, envOnly.BaseUri.Source, envOnly.BaseUri.Origin));
        Assert.Equal(("org-env", OpenAIConfigSource.Environment), (envOnly.Organization.Value, envOnly.Organization.Source));
        Assert.Equal((OpenAIConfigSource.Environment, "$env:OPENAI_API_KEY"), (envOnly.ApiKeySource, envOnly.ApiKeyOrigin));
    }

    [Fact]
    public void TheKeyIsTheParameterThenTheSessionThenTheVaultThenTheEnvironment()
    {
        _env["OPENAI_API_KEY"] = "sk-env-0123456789abcdefENVK";
        var saved = new ProfileSettings { ApiKeyVault = "V", ApiKeySecret = "S" };
        _secrets.Keys["V/S"] = "sk-vault-0123456789abcdefVLTK";
        var session = new SessionProfile { ApiKey = Secure("sk-sess-0123456789abcdefSESK") };

        ResolvedConfig param = Resolve(new ConfigRequest { ApiKey = new ApiKey("sk-parm-0123456789abcdefPRMK") }, session, saved);
        Assert.Equal((OpenAIConfigSource.Parameter, "sk-…PRMK"), (param.ApiKeySource, param.ApiKey!.Masked));
        Assert.Equal((OpenAIConfigSource.Session, "sk-…SESK"), (Resolve(null, session, saved).ApiKeySource, Resolve(null, session, saved).ApiKey!.Masked));
        Assert.Empty(_secrets.Reads); // the vault is not asked when a key was found before it

        Assert.Equal((OpenAIConfigSource.Vault, "sk-…VLTK"), (Resolve(null, null, saved).ApiKeySource, Resolve(null, null, saved).ApiKey!.Masked));
        _secrets.Keys.Clear();
        ResolvedConfig env = Resolve(null, null, saved);
        Assert.Equal((OpenAIConfigSource.Environment, "sk-…ENVK"), (env.ApiKeySource, env.ApiKey!.Masked));
        Assert.Contains(_warnings, w => w.Contains("'S'") && w.Contains("$env:OPENAI_API_KEY"));

        _env.Clear();
        ResolvedConfig none = Resolve(null, null, saved);
        var error = Assert.Throws<OpenAIException>(() => none.ToClientOptions());
        Assert.Contains("secret 'S'", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void AVaultFailureIsNotSwallowedAndNeverFallsBackToTheEnvironment()
    {
        _env["OPENAI_API_KEY"] = "sk-env-0123456789abcdefENVK";
        _secrets.Failure = new OpenAIConfigException(OpenAIConfigException.VaultError, "locked");
        var error = Assert.Throws<OpenAIConfigException>(() => Resolve(null, null, new ProfileSettings { ApiKeyVault = "V", ApiKeySecret = "S" }));
        Assert.Equal(OpenAIConfigException.VaultError, error.ErrorId);

        // Commands that never send the key (downloads) do not even ask the vault.
        _secrets.Reads.Clear();
        ResolvedConfig download = Resolve(new ConfigRequest { NeedApiKey = false }, null, new ProfileSettings { ApiKeyVault = "V", ApiKeySecret = "S" });
        Assert.Null(download.ApiKey);
        Assert.Empty(_secrets.Reads);
    }

    [Fact]
    public void AzureUsesItsOwnEnvironmentVariablesAndHasNoDefaultEndpoint()
    {
        _env["OPENAI_BASE_URL"] = "https://openai-compatible.test/v1";
        _env["OPENAI_API_KEY"] = "sk-openai-0123456789abcdefOAIK";
        var azure = new ProfileSettings { ApiType = OpenAIApiType.AzureOpenAI, AzureDeployment = "dep" };

        ResolvedConfig noEndpoint = Resolve(null, null, azure);
        Assert.Null(noEndpoint.BaseUri.Value);
        Assert.Equal(OpenAIConfigException.AzureEndpointMissing, Assert.Throws<OpenAIConfigException>(() => noEndpoint.ToClientOptions()).ErrorId);
        Assert.Equal(("2025-04-01-preview", OpenAIConfigSource.Default), (noEndpoint.ApiVersion.Value, noEndpoint.ApiVersion.Source));
        Assert.Equal("sk-…OAIK", noEndpoint.ApiKey!.Masked);

        _env["AZURE_OPENAI_ENDPOINT"] = "https://res.openai.azure.com";
        _env["AZURE_OPENAI_API_KEY"] = "azure-0123456789abcdefAZRK";
        _env["OPENAI_API_VERSION"] = "2024-10-21";
        ResolvedConfig r = Resolve(null, null, azure);
        Assert.Equal(("https://res.openai.azure.com/", OpenAIConfigSource.Environment), (r.BaseUri.Value!.AbsoluteUri, r.BaseUri.Source));
        Assert.Equal((OpenAIConfigSource.Environment, "$env:AZURE_OPENAI_API_KEY"), (r.ApiKeySource, r.ApiKeyOrigin));
        Assert.Equal(("2024-10-21", OpenAIConfigSource.Environment), (r.ApiVersion.Value, r.ApiVersion.Source));
        OpenAIClientOptions options = r.ToClientOptions();
        Assert.Equal(OpenAIApiType.AzureOpenAI, options.ApiType);
        Assert.Equal("dep", options.AzureDeployment);

        // OPENAI_API_VERSION is an Azure variable: an OpenAI profile ignores it.
        Assert.Null(Resolve().ApiVersion.Value);
    }

    [Fact]
    public void ASavedProxyCredentialIsSentOnlyToTheSavedProxy()
    {
        var saved = new ProfileSettings { Proxy = new Uri("http://saved-proxy.test:3128"), ProxyCredentialVault = "V", ProxyCredentialSecret = "P" };
        _secrets.Credentials["V/P"] = new NetworkCredential("u", "p");

        ResolvedConfig r = Resolve(null, null, saved);
        Assert.Equal(("u", OpenAIConfigSource.Vault), (r.ProxyCredential.Value!.UserName, r.ProxyCredential.Source));
        Assert.Equal("u", r.ToClientOptions(requireKey: false).ProxyCredential!.UserName);

        var session = new SessionProfile { Settings = new ProfileSettings { Proxy = new Uri("http://other-proxy.test:8080") } };
        _secrets.Reads.Clear();
        ResolvedConfig other = Resolve(null, session, saved);
        Assert.Null(other.ProxyCredential.Value);
        Assert.Empty(_secrets.Reads);

        session.ProxyCredential = new NetworkCredential("s", "q");
        Assert.Equal("s", Resolve(null, session, saved).ToClientOptions(requireKey: false).ProxyCredential!.UserName);
    }

    [Fact]
    public void BadValuesAreReportedWithoutEchoingSecrets()
    {
        _env["OPENAI_BASE_URL"] = "not a url";
        var env = Assert.Throws<OpenAIConfigException>(() => Resolve());
        Assert.Equal(OpenAIConfigException.InvalidEnvironmentVariable, env.ErrorId);
        Assert.Contains("OPENAI_BASE_URL", env.Message);

        _env.Clear();
        var withPassword = Assert.Throws<OpenAIValidationException>(() => Resolve(new ConfigRequest { BaseUri = new Uri("https://user:hunter2-secret@example.test/v1") }));
        Assert.Equal("OpenAI.Validation.UriHasCredentials", withPassword.ErrorId);
        Assert.DoesNotContain("hunter2-secret", withPassword.Message);
        Assert.DoesNotContain("hunter2-secret", withPassword.Value!.ToString());

        var relative = Assert.Throws<OpenAIValidationException>(() => Resolve(new ConfigRequest { BaseUri = new Uri("v1", UriKind.Relative) }));
        Assert.Equal("OpenAI.Validation.UriNotAbsolute", relative.ErrorId);
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("work.2", true)]
    [InlineData("a_b-c", true)]
    [InlineData("", true)]
    [InlineData("-leading", false)]
    [InlineData("has space", false)]
    [InlineData("semi;colon", false)]
    [InlineData("x/../y", false)]
    public void ProfileNamesAreSafeForFileKeysAndSecretNames(string name, bool valid)
    {
        if (valid)
        {
            Assert.Equal(name.Length == 0 ? "default" : name, ConfigResolver.ValidateProfileName(name));
        }
        else
        {
            Assert.Equal("OpenAI.Validation.ProfileName", Assert.Throws<OpenAIValidationException>(() => ConfigResolver.ValidateProfileName(name)).ErrorId);
        }

        Assert.Equal("OpenAI.Validation.ProfileName", Assert.Throws<OpenAIValidationException>(() => ConfigResolver.ValidateProfileName(new string('a', 65))).ErrorId);
    }

    [Fact]
    public void OnlyTheDefaultProfileMayBeAbsent()
    {
        string dir = Directory.CreateTempSubdirectory("openai-images-resolver-").FullName;
        try
        {
            string path = Path.Combine(dir, "config.json");
            ConfigFile.Update(path, doc =>
            {
                doc.Set("saved-one", new ProfileSettings { MaxRetries = 7 });
                return true;
            });
            Func<string, string?> noEnv = _ => null;

            Assert.Equal(OpenAIConfigSource.Default, ConfigResolver.Resolve(new ConfigRequest(), path, noEnv, null, null).BaseUri.Source);
            Assert.Equal(7, ConfigResolver.Resolve(new ConfigRequest { Profile = "SAVED-ONE" }, path, noEnv, null, null).MaxRetries.Value);
            var missing = Assert.Throws<OpenAIConfigException>(() => ConfigResolver.Resolve(new ConfigRequest { Profile = "not-saved-zz" }, path, noEnv, null, null));
            Assert.Equal(OpenAIConfigException.ProfileNotFound, missing.ErrorId);
            Assert.Contains("saved-one", missing.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
