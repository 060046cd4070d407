using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.Validation;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// The cmdlet side of <see cref="ModelLifecycle"/>: one warning per model per cmdlet call before a request to OpenAI's
    /// host is sent, and OpenAI's model_not_found errors explained with the retirement date and the replacement.
    /// </summary>
    internal sealed class ModelLifecycleNotices
    {
        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Writes the lifecycle warning for <paramref name="request"/>'s model, once per model for this call (pipeline thread only).</summary>
        public void WarnOnce(Cmdlet cmdlet, ImageRequest request, Uri baseUri, string? profile)
        {
            string? model = request.Model;
            if (model is null || _warned.Contains(model))
            {
                return;
            }

            string? warning = ModelLifecycle.RequestWarning(model, baseUri, request.Operation, ModelLifecycle.Today, profile);
            if (warning != null)
            {
                _warned.Add(model);
                cmdlet.WriteWarning(warning);
            }
        }

        /// <summary>
        /// <paramref name="record"/>, with the retirement date and replacement added to its message and recommended action
        /// when OpenAI answered model_not_found (or a 404 naming the model) for a model in the table.
        /// </summary>
        public static ErrorRecord Explain(ErrorRecord record, Exception exception, ImageRequest request, Uri baseUri)
        {
            if (!(exception is OpenAIException error)
                || !ModelLifecycle.TryExplainNotFound(error, request.Model, baseUri, request.Operation, ModelLifecycle.Today, out string explanation, out string action))
            {
                return record;
            }

            string message = record.ErrorDetails?.Message ?? error.Message;
            record.ErrorDetails = new ErrorDetails(message + " " + explanation) { RecommendedAction = action };
            return record;
        }
    }
}
