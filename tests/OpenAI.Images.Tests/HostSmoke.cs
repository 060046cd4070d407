using System.Management.Automation;
using System.Management.Automation.Runspaces;
namespace OpenAI.Images.Tests;
public class HostSmoke
{
    [Fact]
    public void EngineRuns()
    {
        using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddScript("$PSVersionTable.PSVersion.ToString(); (Get-Command).Count; Get-Command -Module Microsoft.PowerShell.Core | measure-object");
        var r = ps.Invoke();
        foreach (var o in r) System.Console.WriteLine(o);
        foreach (var e in ps.Streams.Error) System.Console.WriteLine("ERR " + e);
        Assert.NotEmpty(r);
    }
}
