using System;
using System.IO;
using System.Management.Automation;
using OpenAI.Images;

namespace OpenAI.Images.PowerShell
{
    /// <summary>Turns failures into ErrorRecords with stable ids, fitting categories and the input as target.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(Exception exception, object? target)
        {
            switch (exception)
            {
                case OpenAIValidationException v:
                    return new ErrorRecord(v, v.ErrorId, ErrorCategory.InvalidArgument, v.Value ?? target)
                    {
                        ErrorDetails = new ErrorDetails(v.Reason) { RecommendedAction = "Fix -" + v.ParamName + " and run the command again." },
                    };
                case OpenAIConfigException c:
                    return new ErrorRecord(c, c.ErrorId, CategoryOf(c), c.Target ?? target)
                    {
                        ErrorDetails = new ErrorDetails(c.Message),
                    };
                case OpenAIException o:
                    var record = new ErrorRecord(o, o.ErrorId, CategoryOf(o.Kind), target);
                    record.ErrorDetails = new ErrorDetails(o.Message);
                    return record;
                case FileNotFoundException f:
                    return new ErrorRecord(f, "OpenAI.FileNotFound", ErrorCategory.ObjectNotFound, f.FileName ?? target);
                case ItemNotFoundException i:
                    return new ErrorRecord(i, "OpenAI.PathNotFound", ErrorCategory.ObjectNotFound, target);
                case UnauthorizedAccessException u:
                    return new ErrorRecord(u, "OpenAI.FileAccessDenied", ErrorCategory.PermissionDenied, target);
                case IOException io:
                    return new ErrorRecord(io, "OpenAI.FileError", ErrorCategory.WriteError, target);
                default:
                    return new ErrorRecord(exception, "OpenAI.UnexpectedError", ErrorCategory.NotSpecified, target);
            }
        }

        public static ErrorCategory CategoryOf(OpenAIErrorKind kind)
        {
            switch (kind)
            {
                case OpenAIErrorKind.Authentication:
                case OpenAIErrorKind.MissingApiKey:
                    return ErrorCategory.AuthenticationError;
                case OpenAIErrorKind.PermissionDenied:
                    return ErrorCategory.PermissionDenied;
                case OpenAIErrorKind.NotFound:
                    return ErrorCategory.ObjectNotFound;
                case OpenAIErrorKind.RateLimited:
                    return ErrorCategory.LimitsExceeded;
                case OpenAIErrorKind.QuotaExceeded:
                    return ErrorCategory.QuotaExceeded;
                case OpenAIErrorKind.ServerError:
                    return ErrorCategory.ResourceUnavailable;
                case OpenAIErrorKind.ContentPolicy:
                    return ErrorCategory.SecurityError;
                case OpenAIErrorKind.InvalidRequest:
                    return ErrorCategory.InvalidArgument;
                case OpenAIErrorKind.Conflict:
                    return ErrorCategory.ResourceBusy;
                case OpenAIErrorKind.Timeout:
                    return ErrorCategory.OperationTimeout;
                case OpenAIErrorKind.Network:
                    return ErrorCategory.ConnectionError;
                case OpenAIErrorKind.InvalidResponse:
                    return ErrorCategory.InvalidResult;
                case OpenAIErrorKind.Configuration:
                    return ErrorCategory.InvalidOperation;
                default:
                    return ErrorCategory.NotSpecified;
            }
        }

        /// <summary>The category of a configuration failure, by its error id.</summary>
        public static ErrorCategory CategoryOf(OpenAIConfigException exception)
        {
            switch (exception.ErrorId)
            {
                case OpenAIConfigException.ConfigCorrupt:
                case OpenAIConfigException.InvalidSecret:
                    return ErrorCategory.InvalidData;
                case OpenAIConfigException.ConfigReadFailed:
                    return ErrorCategory.ReadError;
                case OpenAIConfigException.ConfigWriteFailed:
                    return ErrorCategory.WriteError;
                case OpenAIConfigException.ProfileNotFound:
                case OpenAIConfigException.VaultNotFound:
                case OpenAIConfigException.NoDefaultVault:
                    return ErrorCategory.ObjectNotFound;
                case OpenAIConfigException.SecretManagementNotInstalled:
                    return ErrorCategory.NotInstalled;
                case OpenAIConfigException.VaultError:
                    return ErrorCategory.ResourceUnavailable;
                case OpenAIConfigException.InsecureTransport:
                    return ErrorCategory.SecurityError;
                case OpenAIConfigException.InvalidEnvironmentVariable:
                    return ErrorCategory.InvalidArgument;
                default:
                    return ErrorCategory.InvalidOperation;
            }
        }

        /// <summary>A record for a file that exists and may not be overwritten.</summary>
        public static ErrorRecord FileExists(string path) => new ErrorRecord(
            new IOException($"The file '{path}' already exists. Use -Force to overwrite it, or choose another -OutFile."),
            "OpenAI.FileExists",
            ErrorCategory.ResourceExists,
            path);
    }
}
