using System.Management.Automation;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// Verbose messages that never prompt. PowerShell 7 gives a compiled cmdlet's verbose stream the preference
    /// Inquire when only <c>-Debug</c> is given (Windows PowerShell's old meaning of -Debug), so every WriteVerbose
    /// would stop and ask "Continue with this operation?", and fail outright in a non-interactive session. With -Debug
    /// and without -Verbose these lines go to the debug stream instead, where -Debug shows them without asking.
    /// </summary>
    internal static class VerboseOutput
    {
        /// <summary>Writes <paramref name="message"/> as verbose, or as debug under -Debug without -Verbose.</summary>
        public static void WriteVerboseLine(this PSCmdlet cmdlet, string message)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            if (!bound.ContainsKey("Verbose") && bound.TryGetValue("Debug", out object? debug) && IsSet(debug))
            {
                cmdlet.WriteDebug(message);
                return;
            }

            cmdlet.WriteVerbose(message);
        }

        private static bool IsSet(object? value) => value switch
        {
            SwitchParameter s => s.IsPresent,
            bool b => b,
            _ => false,
        };
    }
}
