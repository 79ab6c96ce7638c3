// The Studio's HTTP routes, one file per page of the web app (docs/api.md documents them).
#pragma once

#include <httplib.h>

#include "studio/studio_context.h"

namespace kiln::studio {

void add_project_routes(httplib::Server& server, StudioContext& context);    // status, init, config
void add_data_routes(httplib::Server& server, StudioContext& context);       // samples, upload
void add_feature_routes(httplib::Server& server, StudioContext& context);    // images, explorer
void add_job_routes(httplib::Server& server, StudioContext& context);        // jobs, events
void add_train_routes(httplib::Server& server, StudioContext& context);      // train, test
void add_deploy_routes(httplib::Server& server, StudioContext& context);     // deploy, profile
void add_web_asset_routes(httplib::Server& server, StudioContext& context);  // the web app

}  // namespace kiln::studio
