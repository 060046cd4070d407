namespace OpenAI.Images.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void CoreAssemblyHasNoPowerShellReference()
    {
        var refs = typeof(OpenAI.Images.ImagesAssemblyMarker).Assembly.GetReferencedAssemblies();
        Assert.DoesNotContain(refs, r => r.Name == "System.Management.Automation");
    }
}
